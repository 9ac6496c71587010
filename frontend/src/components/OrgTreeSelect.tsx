import { TreeSelect } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type { OrgTree } from "../api/client";
import { useScopeTrees } from "../api/queries";

export interface OrgOption {
  id: string;
  name: string;
  kind: string;
  parent_id: string | null;
}

interface TreeNode {
  value: string;
  title: string;
  children?: TreeNode[];
}

function toNode(t: OrgTree, kindLabel: (k: string) => string): TreeNode {
  return {
    value: t.id,
    title: `${t.name}${kindLabel(t.kind)}`,
    children: t.children.length ? t.children.map((c) => toNode(c, kindLabel)) : undefined,
  };
}

/** Build a tree from a flat list of units (parents outside the list make roots). */
export function treeFromFlat(orgs: OrgOption[], kindLabel: (k: string) => string): TreeNode[] {
  const byId = new Map(orgs.map((o) => [o.id, { value: o.id, title: `${o.name}${kindLabel(o.kind)}`, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const o of orgs) {
    const node = byId.get(o.id)!;
    const parent = o.parent_id ? byId.get(o.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const prune = (n: TreeNode): TreeNode => (n.children && n.children.length ? { ...n, children: n.children.map(prune) } : { value: n.value, title: n.title });
  return roots.map(prune);
}

interface Props {
  value?: string;
  onChange?: (value: string) => void;
  /** Offer these units instead of my whole scope. */
  options?: OrgOption[];
  /** Offer only this subtree of my scope. */
  rootTree?: OrgTree;
  placeholder?: string;
  allowClear?: boolean;
  id?: string;
  disabledIds?: string[];
  "aria-label"?: string;
  size?: "large" | "middle" | "small";
}

/** A unit picker over the units in my scope (or a given list). */
export function OrgTreeSelect(props: Props) {
  const { t } = useTranslation();
  const { trees, isLoading } = useScopeTrees();
  const kindLabel = (k: string) => t("common.paren", { text: t(`kind.${k}`) });
  const treeData = useMemo(() => {
    let data: TreeNode[];
    if (props.options) data = treeFromFlat(props.options, kindLabel);
    else if (props.rootTree) data = [toNode(props.rootTree, kindLabel)];
    else data = trees.map((tr) => toNode(tr, kindLabel));
    if (props.disabledIds?.length) {
      const mark = (n: TreeNode): TreeNode & { disabled?: boolean } => ({
        ...n,
        disabled: props.disabledIds!.includes(n.value),
        children: n.children?.map(mark),
      });
      data = data.map(mark);
    }
    return data;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.options, props.rootTree, trees, t, props.disabledIds]);
  return (
    <TreeSelect
      id={props.id}
      aria-label={props["aria-label"]}
      value={props.value}
      onChange={(v: string) => props.onChange?.(v)}
      treeData={treeData}
      loading={isLoading && !props.options}
      showSearch
      treeNodeFilterProp="title"
      treeDefaultExpandAll={false}
      treeDefaultExpandedKeys={treeData.map((n) => n.value)}
      allowClear={props.allowClear}
      placeholder={props.placeholder ?? t("orgs.selectUnit")}
      style={{ width: "100%" }}
      popupMatchSelectWidth={false}
      size={props.size}
      listHeight={320}
    />
  );
}
