import { createContext } from 'preact';
import { permissions, type Permissions, type Session } from './session';

export interface SignedIn {
  session: Session;
  can: Permissions;
  signOut: () => void;
}

export const SessionContext = createContext<SignedIn>({
  session: { token: '', subject: '', roles: [], expiresAt: null },
  can: permissions({ token: '', subject: '', roles: [], expiresAt: null }),
  signOut: () => undefined,
});
