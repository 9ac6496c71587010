import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, unwrap, type Me, type MeGrant, type Perm } from "../api/client";
import { keys } from "../api/keys";
import * as session from "./session";

export type AuthStatus = "restoring" | "anonymous" | "authenticated";

interface AuthContextValue {
  status: AuthStatus;
  me: Me | undefined;
  /** The session ended on the server: show a sign-in dialog over the page, keep what was typed. */
  expired: boolean;
  login: (username: string, password: string) => Promise<session.LoginResult>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [sessionState, setSessionState] = useState(session.getSession());
  const [restoring, setRestoring] = useState(true);

  useEffect(() => {
    const off = session.subscribe(setSessionState);
    void session.restore().finally(() => setRestoring(false));
    return () => {
      off();
    };
  }, []);

  const hasToken = sessionState.accessToken !== null;
  const meQuery = useQuery({
    queryKey: keys.me(),
    queryFn: () => unwrap(api.GET("/api/v1/me")),
    enabled: hasToken,
    staleTime: 60_000,
  });

  const login = useCallback(
    async (username: string, password: string) => {
      const result = await session.login(username, password);
      if (result.ok) await qc.invalidateQueries();
      return result;
    },
    [qc],
  );

  const logout = useCallback(async () => {
    await session.logout();
    qc.clear();
  }, [qc]);

  const status: AuthStatus = restoring
    ? "restoring"
    : hasToken && meQuery.data
      ? "authenticated"
      : hasToken && meQuery.isPending
        ? "restoring"
        : sessionState.expired && meQuery.data
          ? "authenticated"
          : "anonymous";

  const value = useMemo<AuthContextValue>(
    () => ({ status, me: meQuery.data, expired: sessionState.expired, login, logout }),
    [status, meQuery.data, sessionState.expired, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}

/**
 * What my grants allow, read from the permissions `/me` gives each grant (the backend's role
 * table; the SPA never decides from role names). A grant's permission holds at its unit and
 * every unit below it. Whether a given task or issue may be acted on is the server's word
 * (`allowed_actions`, `can_edit`, ...), not decided here.
 */
export function useCan() {
  const { me } = useAuth();
  return useMemo(() => {
    const grants: MeGrant[] = me?.grants ?? [];
    const grantsWith = (perm: Perm): MeGrant[] => grants.filter((g) => g.permissions.includes(perm));
    return {
      grants,
      /** Do I hold any of these permissions in at least one grant? */
      can: (...perms: Perm[]): boolean => perms.some((p) => grantsWith(p).length > 0),
      /** The grants holding PERM: the units (with their subtrees) where it applies. */
      grantsWith,
    };
  }, [me]);
}
