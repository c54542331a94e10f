import { getApps, initializeApp } from 'firebase-admin/app'
import { getFirestore, type Firestore } from 'firebase-admin/firestore'
import { logger } from 'firebase-functions'
import { onDocumentCreated } from 'firebase-functions/v2/firestore'
import { onSchedule } from 'firebase-functions/v2/scheduler'
import { onSweep, onUpdateCreated, updateSize } from './handlers.js'
import { settingsFromEnv } from './settings.js'

/**
 * Quire's Cloud Functions (design.md section 5): compaction of each document's update log.
 * Bundled by build.mjs into lib/index.js, which firebase-tools deploys and emulates.
 */

/** The Admin SDK's Firestore, initialized on first use so that loading this module has no effects. */
function db(): Firestore {
  return getFirestore(getApps()[0] ?? initializeApp())
}

/** Compacts a document once its log reaches the thresholds (COMPACT_* variables, see settings.ts). */
export const compactOnUpdate = onDocumentCreated(
  { document: 'documents/{docId}/updates/{updateId}', memory: '512MiB', timeoutSeconds: 300 },
  async (event) => {
    const { docId } = event.params
    const result = await onUpdateCreated(db(), docId, updateSize(event.data?.get('update')), settingsFromEnv())
    if (result) logger.info(`compaction of ${docId}`, result)
  },
)

/** Every 10 minutes, compacts logs nobody has written to for COMPACT_IDLE_MINUTES. */
export const compactIdle = onSchedule({ schedule: 'every 10 minutes', memory: '512MiB', timeoutSeconds: 540 }, async () => {
  const results = await onSweep(db(), settingsFromEnv())
  for (const result of results) {
    if (result.reason?.startsWith('failed')) logger.error(`compaction of ${result.docId} failed`, result)
    else logger.info(`compaction of ${result.docId}`, result)
  }
})
