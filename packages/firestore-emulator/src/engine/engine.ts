import { type DatabaseId } from '../model/paths.js'
import { Clock } from './clock.js'
import { Database, type CommitEvent } from './database.js'

/** Hears a commit of any database: which one, and what changed. */
export type EngineCommitListener = (database: Database, event: CommitEvent) => void

/**
 * The emulator's state: every database of every project, created on first use, and the
 * clock they share so commit times order across all of them.
 */
export class Engine {
  readonly clock = new Clock()
  private readonly databases = new Map<string, Database>()
  private readonly commitListeners = new Set<EngineCommitListener>()

  database(id: DatabaseId): Database {
    const key = `${id.projectId}/${id.databaseId}`
    let database = this.databases.get(key)
    if (!database) {
      database = new Database({ projectId: id.projectId, databaseId: id.databaseId }, this.clock)
      this.databases.set(key, database)
      const created = database
      database.onCommit((event) => {
        for (const listener of this.commitListeners) listener(created, event)
      })
    }
    return database
  }

  /** Hears every commit of every database, present and future (Functions triggers follow this). */
  onCommit(listener: EngineCommitListener): () => void {
    this.commitListeners.add(listener)
    return () => this.commitListeners.delete(listener)
  }

  /** Deletes every document of one database of a project (its listeners see the deletions). */
  clear(id: DatabaseId): void {
    const database = this.databases.get(`${id.projectId}/${id.databaseId}`)
    database?.clear()
    database?.transactions.clear()
  }
}
