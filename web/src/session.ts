// The signed-in account, shared by every page through a Preact context.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api/types';

export interface SessionState {
  me: Me | null;
  /** The coordinator's version (from /healthz), to flag outdated agents. */
  version: string | undefined;
  setMe: (me: Me | null) => void;
}

export const SessionContext = createContext<SessionState>({
  me: null,
  version: undefined,
  setMe: () => undefined,
});

export function useSession(): SessionState {
  return useContext(SessionContext);
}
