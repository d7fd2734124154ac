import { STATUS_CODES } from 'node:http';

/** The TMF v4 `Error` body every failing simulator response carries. */
export interface TmfErrorBody {
  code: string;
  reason: string;
  message: string;
  status: string;
  '@type': 'Error';
}

/** Thrown by handlers; the server turns it into an HTTP status with a TMF Error body. */
export class TmfHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): TmfErrorBody {
    return tmfError(this.status, this.code, this.message);
  }
}

export function tmfError(status: number, code: string, message: string): TmfErrorBody {
  return { code, reason: STATUS_CODES[status] ?? 'Error', message, status: String(status), '@type': 'Error' };
}

export const badRequest = (message: string) => new TmfHttpError(400, 'INVALID_REQUEST', message);
export const notFound = (message: string) => new TmfHttpError(404, 'NOT_FOUND', message);
/** A request that is well formed but not allowed in the resource's current state. */
export const invalidState = (message: string) => new TmfHttpError(409, 'INVALID_STATE', message);
