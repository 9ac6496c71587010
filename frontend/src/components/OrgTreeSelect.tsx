import { TreeSelect } from "antd";
import { useMemo, useState } from "react";
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

function parentKeys(nodes: TreeNode[], into: string[] = []): string[] {
  for (const n of nodes) {
    if (n.children?.length) {
      into.push(n.value);
      parentKeys(n.children, into);
    }
  }
  return into;
}

/**
 * A unit picker over the units in my scope (or a given list).
 *
 * The expanded nodes are controlled here: rc-tree-select computes them once, when the search
 * text changes (and its defaults once, when the list opens), so units that arrive after the
 * user has started typing (the list still loading on a slow link) stayed folded away under a
 * collapsed parent and could not be found or picked.
 */
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
  const [search, setSearch] = useState("");
  // The user's own expanding and folding, for the data and search text it was made on.
  const [chosen, setChosen] = useState<{ on: string; keys: string[] } | null>(null);
  const allParents = useMemo(() => parentKeys(treeData), [treeData]);
  const roots = useMemo(() => treeData.filter((n) => n.children?.length).map((n) => n.value), [treeData]);
  const on = `${search}\u0000${allParents.join(",")}`;
  // While searching every match is shown (its parents open); otherwise the top level is open.
  const expandedKeys = chosen && chosen.on === on ? chosen.keys : search ? allParents : roots;
  return (
    <TreeSelect
      id={props.id}
      aria-label={props["aria-label"]}
      value={props.value}
      onChange={(v: string) => {
        setSearch("");
        props.onChange?.(v);
      }}
      treeData={treeData}
      loading={isLoading && !props.options}
      showSearch
      treeNodeFilterProp="title"
      treeDefaultExpandAll={false}
      treeExpandedKeys={expandedKeys}
      onTreeExpand={(keys) => setChosen({ on, keys: keys as string[] })}
      onSearch={setSearch}
      onOpenChange={(open) => {
        if (!open) setSearch("");
      }}
      allowClear={props.allowClear}
      placeholder={props.placeholder ?? t("orgs.selectUnit")}
      style={{ width: "100%" }}
      popupMatchSelectWidth={false}
      size={props.size}
      listHeight={320}
    />
  );
}
