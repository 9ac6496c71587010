import { Button, Card, Empty, List, Spin, Table } from "antd";
import type { ColumnsType, TableProps } from "antd/es/table";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useIsMobile } from "../hooks/useIsMobile";

interface Props<T> {
  items: T[];
  rowKey: (item: T) => string;
  columns: ColumnsType<T>;
  /** The phone rendering of one row: a card. */
  renderCard: (item: T) => ReactNode;
  loading?: boolean;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  onOpen?: (item: T) => void;
  emptyText?: string;
  onChange?: TableProps<T>["onChange"];
  rowClassName?: (item: T) => string;
  testId?: string;
}

/** A table on desks, a list of cards on phones; cursor pages load with "load more". */
export function ResponsiveList<T extends object>(props: Props<T>) {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const more = props.hasMore ? (
    <div style={{ textAlign: "center", margin: "12px 0" }}>
      <Button onClick={props.onLoadMore} loading={props.loadingMore} size={mobile ? "large" : "middle"} block={mobile}>
        {t("common.loadMore")}
      </Button>
    </div>
  ) : null;
  const empty = <Empty description={props.emptyText ?? t("common.empty")} />;

  if (mobile) {
    return (
      <div data-testid={props.testId} data-layout="cards" data-loading={props.loading ? "true" : "false"} aria-busy={props.loading || undefined}>
        {props.loading ? (
          <div style={{ textAlign: "center", padding: 24 }}>
            <Spin />
          </div>
        ) : props.items.length === 0 ? (
          empty
        ) : (
          <List
            dataSource={props.items}
            split={false}
            renderItem={(item) => (
              <List.Item key={props.rowKey(item)} style={{ padding: "6px 0" }}>
                <Card
                  size="small"
                  hoverable={!!props.onOpen}
                  onClick={props.onOpen ? () => props.onOpen?.(item) : undefined}
                  className={props.rowClassName?.(item)}
                  style={{ width: "100%" }}
                >
                  {props.renderCard(item)}
                </Card>
              </List.Item>
            )}
          />
        )}
        {more}
      </div>
    );
  }
  return (
    <div data-testid={props.testId} data-layout="table" data-loading={props.loading ? "true" : "false"} aria-busy={props.loading || undefined}>
      <Table<T>
        rowKey={props.rowKey}
        columns={props.columns}
        dataSource={props.items}
        loading={props.loading}
        pagination={false}
        size="middle"
        locale={{ emptyText: empty }}
        onChange={props.onChange}
        rowClassName={props.rowClassName}
        onRow={props.onOpen ? (item) => ({ onClick: () => props.onOpen?.(item), style: { cursor: "pointer" } }) : undefined}
        scroll={{ x: "max-content" }}
      />
      {more}
    </div>
  );
}
