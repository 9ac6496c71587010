import { Spin, Tag } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import type { User } from "../api/client";
import { SEARCH_LIMIT, useUserSearch, userLabel } from "../api/users";
import { useDebouncedValue } from "../hooks/useDebouncedValue";
import { FormSelect } from "./FormSelect";

interface Props {
  value?: string;
  onChange?: (value: string | undefined) => void;
  id?: string;
  size?: "large" | "middle" | "small";
  "data-testid"?: string;
  /** Milliseconds of quiet typing before the server is asked. */
  debounceMs?: number;
}

/**
 * Picks one user by searching the server (GET /users?q=), debounced, so every user in scope can be
 * found, not only the first page. Nothing is fetched until the picker is opened.
 */
export function UserSearchSelect({ value, onChange, id, size, debounceMs = 300, ...rest }: Props) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState("");
  const [active, setActive] = useState(false);
  const [picked, setPicked] = useState<User | null>(null);
  const q = useDebouncedValue(typed.trim(), debounceMs);
  const search = useUserSearch(q, active);
  const users = useMemo(() => {
    const found = search.data?.items ?? [];
    return picked && !found.some((u) => u.id === picked.id) ? [picked, ...found] : found;
  }, [search.data, picked]);
  const waiting = search.isFetching || q !== typed.trim();

  return (
    <FormSelect<string>
      id={id}
      data-testid={rest["data-testid"]}
      size={size}
      value={value}
      showSearch
      allowClear
      filterOption={false}
      searchValue={typed}
      onSearch={setTyped}
      onFocus={() => setActive(true)}
      onOpenChange={(open) => open && setActive(true)}
      placeholder={t("admin.searchUser")}
      loading={waiting}
      notFoundContent={waiting ? <Spin size="small" /> : t("admin.noUserFound")}
      onChange={(v) => {
        setPicked(users.find((u) => u.id === v) ?? null);
        setTyped("");
        onChange?.(v);
      }}
      options={users.map((u) => ({
        value: u.id,
        label: (
          <span>
            {userLabel(u)}
            {!u.is_active && (
              <Tag style={{ marginInlineStart: 6 }} color="default">
                {t("admin.inactive")}
              </Tag>
            )}
          </span>
        ),
      }))}
      popupRender={(menu) => (
        <>
          {menu}
          {!waiting && search.data?.next_cursor && (
            <div style={{ padding: "4px 12px", fontSize: 12, color: "rgba(0,0,0,0.62)" }}>{t("admin.refineSearch", { count: SEARCH_LIMIT })}</div>
          )}
        </>
      )}
    />
  );
}
