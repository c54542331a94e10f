import { getApps, initializeApp } from 'firebase-admin/app'
import { getAuth } from 'firebase-admin/auth'
import { getFirestore, type Firestore } from 'firebase-admin/firestore'
import { logger } from 'firebase-functions'
import { onDocumentCreated, onDocumentDeleted, onDocumentWritten } from 'firebase-functions/v2/firestore'
import { onCall } from 'firebase-functions/v2/https'
import { onSchedule } from 'firebase-functions/v2/scheduler'
import { onSweep, onUpdateCreated, updateSize } from './handlers.js'
import { settingsFromEnv } from './settings.js'
import { authLookup } from './auth-lookup.js'
import * as cleanup from './cleanup.js'
import * as sharing from './sharing.js'
import * as userIndex from './user-index.js'

/**
 * Quire's Cloud Functions (design.md section 5): compaction of each document's update log, the
 * users' document index, sharing (by email and invite links), and cleaning up after a deleted document.
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

/**
 * Deletes what a deleted document leaves behind: everything below `documents/{docId}` (updates,
 * snapshot generations, presence, rejected) and its invites. If the document exists again, only
 * what predates it (by createTime), so the new owner gets none of the old content or invites.
 * Up to 9 minutes: a large log goes at the BulkWriter's pace (500 deletes a second at first).
 */
export const cleanupDeletedDocument = onDocumentDeleted({ document: 'documents/{docId}', timeoutSeconds: 540 }, async (event) => {
  const result = await cleanup.cleanupDeletedDocument(db(), event.params.docId)
  logger.info(`cleanup of deleted ${result.docId}`, result)
})

// ---- sharing and the user index (handlers in user-index.ts and sharing.ts) ----

/** Keeps `users/{uid}/documents/{docId}` = { title, role, updatedAt } in step with each document's `roles`. */
export const syncUserIndex = onDocumentWritten('documents/{docId}', async (event) => {
  const result = await userIndex.syncUserIndex(db(), event.params.docId, { before: event.data?.before.data(), after: event.data?.after.data() })
  if (!result.skipped) logger.info(`user index of ${result.docId}`, result)
})

/** Callable `{ docId, email, role: 'editor' | 'viewer' | null }`: the owner shares with (or unshares from) a user, by email. */
export const shareDocument = onCall((request) =>
  sharing.shareDocument(db(), authLookup(getAuth(getApps()[0] ?? initializeApp())), request.auth?.uid, request.data as unknown),
)

/** Callable `{ docId, role, expiresInDays? }`: the owner makes a multi-use invite link; returns `{ token, expiresAt }`. */
export const createInvite = onCall((request) => sharing.createInvite(db(), request.auth?.uid, request.data as unknown))

/** Callable `{ token }`: the signed-in caller joins the invite's document; returns `{ docId, role }`. */
export const acceptInvite = onCall((request) => sharing.acceptInvite(db(), request.auth?.uid, request.data as unknown))

/** Callable `{ token }`: the owner deletes an invite, so its link stops working; returns `{ revoked }`. */
export const revokeInvite = onCall((request) => sharing.revokeInvite(db(), request.auth?.uid, request.data as unknown))
