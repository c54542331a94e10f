import { browserSuite } from './support/suite.js'

// The SDK's WebChannel in auto-detect mode (firebase@12's default: experimentalAutoDetectLongPolling).
browserSuite('auto-detect')
