import { initializeApp } from 'firebase/app'
import { connectFirestoreEmulator, doc, getDocFromServer, getFirestore } from 'firebase/firestore'

/**
 * The placeholder page's one check: can the browser SDK reach the Firestore emulator? A
 * read of a document the rules deny still proves it (the emulator answered), so
 * permission-denied counts as reachable.
 */
const status = document.getElementById('firestore-status')!
const app = initializeApp({ projectId: 'demo-quire', apiKey: 'demo-key', appId: 'demo-app' })
const db = getFirestore(app)
connectFirestoreEmulator(db, location.hostname, 8080)

async function check(): Promise<string> {
  try {
    await getDocFromServer(doc(db, 'health', 'probe'))
    return 'reachable'
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'permission-denied') return 'reachable (the rules denied the probe read, as they should)'
    return `not reachable (${code ?? String(error)})`
  }
}

void check().then((text) => {
  status.textContent = text
  status.dataset['state'] = text.startsWith('reachable') ? 'ok' : 'failed'
})
