/** The canonical gRPC status codes, by name, as Firestore reports them. */
export const Code = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const

export type CodeName = keyof typeof Code

/** An error a Firestore request ends with: a status code and a message a person can act on. */
export class FirestoreError extends Error {
  constructor(
    readonly code: CodeName,
    message: string,
  ) {
    super(message)
    this.name = 'FirestoreError'
  }

  /** The numeric gRPC status code. */
  get status(): number {
    return Code[this.code]
  }
}

export const invalidArgument = (message: string) => new FirestoreError('INVALID_ARGUMENT', message)
export const notFound = (message: string) => new FirestoreError('NOT_FOUND', message)
export const alreadyExists = (message: string) => new FirestoreError('ALREADY_EXISTS', message)
export const failedPrecondition = (message: string) => new FirestoreError('FAILED_PRECONDITION', message)
export const aborted = (message: string) => new FirestoreError('ABORTED', message)
export const unimplemented = (message: string) => new FirestoreError('UNIMPLEMENTED', message)
export const permissionDenied = (message: string) => new FirestoreError('PERMISSION_DENIED', message)
export const unauthenticated = (message: string) => new FirestoreError('UNAUTHENTICATED', message)
