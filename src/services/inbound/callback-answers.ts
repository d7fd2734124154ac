export interface CallbackAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A TMF Error answer. */
export function tmfError(status: number, code: string, reason: string, message: string, headers?: Record<string, string>): CallbackAnswer {
  return { status, body: { code, reason, message, status: String(status) }, headers };
}

/** What a route said about a message it refused, to store and to answer. */
export class Rejection extends Error {
  constructor(
    readonly answer: CallbackAnswer,
    readonly eventId?: string | null,
    readonly eventType?: string | null,
  ) {
    super(typeof answer.body === 'object' && answer.body !== null ? String((answer.body as { message?: unknown }).message) : 'rejected');
  }
}
