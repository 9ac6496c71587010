import { Select } from "antd";
import { useTranslation } from "react-i18next";
import { COLOURS, type Colour } from "../api/workitems";

/** The lists' `colour=` filter: any of the chosen colours (by their words, with their dots). */
export function ColourFilter({ value, onChange }: { value: Colour[]; onChange: (value: Colour[]) => void }) {
  const { t } = useTranslation();
  return (
    <Select
      mode="multiple"
      allowClear
      placeholder={t("colour.label")}
      aria-label={t("colour.label")}
      data-testid="colour-filter"
      value={value}
      onChange={onChange}
      options={COLOURS.map((c) => ({
        value: c,
        label: (
          <span>
            <span className={`colour-dot colour-dot-${c}`} aria-hidden="true" />
            {t(`colour.${c}`)}
          </span>
        ),
      }))}
      style={{ minWidth: 160 }}
      maxTagCount="responsive"
    />
  );
}
