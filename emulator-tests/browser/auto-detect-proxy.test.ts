import { browserSuite } from './support/suite.js'

// The SDK's default auto-detection behind a proxy that buffers whole responses: the SDK must
// find that its streaming back channel delivers nothing and switch to long polling.
browserSuite('auto-detect', { throughBufferingProxy: true })
