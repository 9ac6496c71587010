import { FilterOutlined } from "@ant-design/icons";
import { Badge, Button } from "antd";
import { useId, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useIsMobile } from "../hooks/useIsMobile";

interface Props {
  /** Always shown: the keyword search. */
  search: ReactNode;
  /** The other filters: in one row on desks, folded behind a button on phones. */
  children: ReactNode;
  /** How many of the folded filters are set (shown on the button). */
  active: number;
}

/** A list's filters. On a phone they would fill the first screen, so only the search shows until asked. */
export function FilterBar({ search, children, active }: Props) {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const [open, setOpen] = useState(false);
  const id = useId();
  if (!mobile) {
    return (
      <section className="filters" aria-label={t("common.filters")}>
        {search}
        {children}
      </section>
    );
  }
  return (
    <section aria-label={t("common.filters")} style={{ marginBottom: 12 }}>
      <div className="filters-phone">
        <div style={{ flex: 1, minWidth: 0 }}>{search}</div>
        <Badge count={active} size="small" offset={[-4, 4]}>
          <Button icon={<FilterOutlined />} aria-expanded={open} aria-controls={id} onClick={() => setOpen((v) => !v)} data-testid="filters-toggle">
            {t("common.filters")}
          </Button>
        </Badge>
      </div>
      <div id={id} className="filters" hidden={!open} style={{ marginTop: 8, marginBottom: 0 }}>
        {children}
      </div>
    </section>
  );
}
