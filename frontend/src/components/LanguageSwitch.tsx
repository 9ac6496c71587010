import { GlobalOutlined } from "@ant-design/icons";
import { Button } from "antd";
import { useTranslation } from "react-i18next";
import { setLanguage } from "../i18n";

/** One button: 中文 <-> English. Labelled in the language it switches to. */
export function LanguageSwitch({ block }: { block?: boolean }) {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith("zh");
  return (
    <Button
      icon={<GlobalOutlined />}
      onClick={() => void setLanguage(zh ? "en" : "zh-CN")}
      title={t("app.switchLanguage")}
      data-testid="language-switch"
      block={block}
      lang={zh ? "en" : "zh-CN"}
    >
      {zh ? "English" : "中文"}
    </Button>
  );
}
