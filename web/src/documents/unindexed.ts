import { doc, getDocFromCache, type Firestore } from 'firebase/firestore'
import type { DocumentEntry } from './documents.js'

/** How long a created document may wait for the index before this device stops listing it by itself. */
const MAX_AGE_MS = 24 * 60 * 60 * 1000

interface Created {
  id: string
  title: string
  createdAt: number
}

/**
 * Documents this browser created for a user that the user's index (written by a function a
 * moment after the creation reaches the server) does not list yet, so a new document never
 * seems to vanish from the list. Kept in localStorage: a document created offline is still
 * listed after a reload.
 */
export class UnindexedDocuments {
  private readonly key: string

  constructor(
    private readonly db: Firestore,
    uid: string,
  ) {
    this.key = `quire:unindexed:${uid}`
  }

  add(id: string, title: string): void {
    this.save([...this.read().filter((entry) => entry.id !== id), { id, title, createdAt: Date.now() }])
  }

  remove(id: string): void {
    this.save(this.read().filter((entry) => entry.id !== id))
  }

  /**
   * The created documents the index does not list (`indexed`), newest first. One is dropped once
   * indexed, when this device's Firestore cache no longer has it (its creation was refused), or
   * after a day.
   */
  async list(indexed: ReadonlySet<string>): Promise<DocumentEntry[]> {
    const stored = this.read()
    const fresh = stored.filter((entry) => !indexed.has(entry.id) && Date.now() - entry.createdAt < MAX_AGE_MS)
    const cached = await Promise.all(fresh.map((entry) => getDocFromCache(doc(this.db, 'documents', entry.id)).then((snapshot) => snapshot.exists(), () => false)))
    const kept = fresh.filter((_, i) => cached[i])
    const dropped = new Set(stored.filter((entry) => !kept.includes(entry)).map((entry) => entry.id))
    // Read again: a document may have been added while the cache was asked.
    if (dropped.size > 0) this.save(this.read().filter((entry) => !dropped.has(entry.id)))
    return kept
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((entry): DocumentEntry => ({ id: entry.id, title: entry.title, role: 'owner', updatedAt: new Date(entry.createdAt) }))
  }

  private read(): Created[] {
    try {
      const value: unknown = JSON.parse(localStorage.getItem(this.key) ?? '[]')
      return Array.isArray(value) ? value.filter(isCreated) : []
    } catch {
      return []
    }
  }

  private save(entries: Created[]): void {
    try {
      if (entries.length === 0) localStorage.removeItem(this.key)
      else localStorage.setItem(this.key, JSON.stringify(entries))
    } catch {
      // Storage full or disabled: the list then shows new documents once they are indexed.
    }
  }
}

function isCreated(value: unknown): value is Created {
  const entry = value as Partial<Created> | null
  return typeof entry?.id === 'string' && typeof entry.title === 'string' && typeof entry.createdAt === 'number'
}
