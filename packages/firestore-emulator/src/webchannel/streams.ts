import type { FirestoreApi } from '../api/firestore-api.js'
import { ListenSession } from '../api/listen.js'
import { WriteSession } from '../api/write-stream.js'
import { callerFromAuthorization } from '../security/auth.js'
import type { FirestoreJson } from '../proto/firestore-json.js'
import type { StreamOpener } from './session.js'

/**
 * The Firestore streams a WebChannel can carry, bound to the transport-independent sessions
 * of api/: each client message is proto3 JSON decoded to the request gRPC would deliver, and
 * each response is encoded back. A FirestoreError thrown by a session ends the stream with it.
 */
export function firestoreStreams(api: FirestoreApi, codec: FirestoreJson): Record<'Listen' | 'Write', StreamOpener> {
  return {
    Listen: (channel, context) => {
      // The caller is read on the first message, so a bad token ends the stream with its status.
      let session: ListenSession | undefined
      const open = () =>
        new ListenSession(
          api,
          (response) => {
            // Responses are also sent from other clients' commits: an encoding failure must end
            // this stream, not fail the commit that triggered it.
            try {
              channel.send(codec.encode('ListenResponse', response))
            } catch (error) {
              channel.fail(error)
            }
          },
          callerFromAuthorization(context.headers['authorization']),
        )
      return {
        receive: (message) => (session ??= open()).handle(codec.decode('ListenRequest', message)),
        close: () => session?.close(),
      }
    },
    Write: (channel, context) => {
      let session: WriteSession | undefined
      return {
        receive: (message) => {
          session ??= new WriteSession(api, callerFromAuthorization(context.headers['authorization']))
          channel.send(codec.encode('WriteResponse', session.handle(codec.decode('WriteRequest', message))))
        },
        close: () => {},
      }
    },
  }
}
