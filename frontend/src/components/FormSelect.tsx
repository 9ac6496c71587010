import { Radio, Select, type RadioGroupProps, type SelectProps } from "antd";

/**
 * antd's Select inside a required Form.Item puts `aria-required` on its outer
 * <div> (no role), which axe flags as a critical ARIA error. The combobox input
 * inside still carries the field's id and label; the form shows the required mark.
 */
export function FormSelect<V = string>(props: SelectProps<V> & { "aria-required"?: boolean | "true" | "false" }) {
  const { "aria-required": _ariaRequired, ...rest } = props;
  return <Select<V> {...rest} />;
}

/** The same for Radio.Group: its outer <div> has no role, so `aria-required` is not allowed there. */
export function FormRadioGroup(props: RadioGroupProps & { "aria-required"?: boolean | "true" | "false" }) {
  const { "aria-required": _ariaRequired, ...rest } = props;
  return <Radio.Group {...rest} />;
}
