import { browserSuite } from './support/suite.js'

// The SDK's WebChannel in streaming mode (experimentalAutoDetectLongPolling: false: streaming, no detection).
browserSuite('streaming')
