import { browserSuite } from './support/suite.js'

// The SDK's WebChannel in long-polling mode (experimentalForceLongPolling: true).
browserSuite('long-polling')
