import './ui/styles.css'
import { startApp } from './app.js'
import { loadConfig } from './config.js'
import { connect } from './firebase.js'
import { registerServiceWorker } from './offline/register.js'

/** Entry point: configuration, Firebase, then the app. A failure here is shown, not left blank. */
try {
  startApp(connect(loadConfig()))
  registerServiceWorker()
} catch (error) {
  const main = document.getElementById('main')!
  main.textContent = `Quire could not start: ${error instanceof Error ? error.message : String(error)}`
  main.setAttribute('role', 'alert')
}
