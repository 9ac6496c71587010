"""Demo work items: six weeks of the Lanping "34133" method, played through the services.

Every task and issue here is created and moved through the work-item services, acting as
the demo users (loaded with their grants, as a request would be), so timelines, feedback,
audit entries and notifications are the real ones. The services stamp the wall clock;
each call is therefore run inside a recorded real-time window, and afterwards every
timestamp written inside a window is moved to the demo time of that step (see
`Loader.backdate`). The audit log is append-only and keeps the real load time.

What is played (the report's figures, issues scaled down by about 4):
- the 11 policy items the enterprise raised, issued by the task force to departments
  with one-week deadlines, the five key ones urgent;
- tasks for the two workshops (recruitment, training, renovation, new build,
  relocation) from the task force to the streets and on to the communities, plus the
  county leaders' weekly dispatch items and the task force's site-check ("四查") items;
- issues raised in communities, streets, the task force, the county office and the
  enterprise, resolved at each tier about as the report counts them (prefecture 26,
  street 42, community 12, county 60+), some closed with ratings, some awaiting
  confirmation, some still open, acknowledged, overdue or due soon.

An issue the enterprise's liaison raises is handled by the enterprise unit, whose scope
holds no department to delegate to and which has no one to handle it. So the
enterprise's county-level demands are recorded by the county office from the weekly
dispatch and delegated to departments from there; the liaison's own issues are the ones
that needed the prefecture: the county takes them over (提级办理) and escalates them, and
one is still open.

Every unit acts for itself (separation of duties): the user for a side is the nearest
grant that stands on that side of the item, so each unit party to an item has its own
logins (see seed.py), and a street takes a community's issue over rather than escalating
it "on its behalf".
"""

import uuid
from bisect import bisect_right
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.access.roles import Perm, Role, role_has
from app.access.scope import GrantScope, Principal, is_within
from app.chasing import service as chasing
from app.chasing.schemas import SupervisionOrder
from app.chasing.service import sweep as chasing_sweep
from app.core.db import metadata
from app.core.middleware import request_id_var
from app.core.models import utcnow
from app.feedback.models import FeedbackKind
from app.feedback.schemas import WrittenFeedback
from app.grants.models import Grant
from app.issues.models import IssueCategory, IssueSeverity
from app.issues.schemas import IssueCreate
from app.issues.service import KIND as ISSUES
from app.notifications.models import ACKNOWLEDGED_KINDS, NotificationKind
from app.notifications.service import sweep_due
from app.orgs.models import OrgUnit
from app.tasks.hooks import acceptance_limit
from app.tasks.models import TaskPriority, TaskSource
from app.tasks.schemas import TaskCreate
from app.tasks.service import KIND as TASKS
from app.users.models import User
from app.workitems import service as workitems
from app.workitems.kinds import WorkItemKind
from app.workitems.models import MOMENTS
from app.workitems.sides import upper_party

T = TypeVar("T")

CST = timezone(timedelta(hours=8), "CST")  # China Standard Time, no daylight saving
# How far back the demo's chasing sweeps go: every morning of these days.
CHASE_DAYS = 45
# (days ago, hour, minute) in China Standard Time.
When = tuple[int, int, int]

PREFECTURE_TEAM = "州级驻点指导组"
COUNTY = "兰坪白族普米族自治县"
TASKFORCE = "县产业就业工作专班"
ENTERPRISE = "隆滨电子科技有限公司"
CUIPING, YONGCHANG = "翠屏街道", "永昌街道"
YONGXING, HEXIE, DALONG = "永兴社区", "和谐社区", "大龙社区"
JIANGTOUHE, XINCHENG = "江头河社区", "新城社区"
HRSS = "县人力资源和社会保障局"
DEVREFORM = "县发展和改革局"
FINANCE = "县财政局"
TAX = "县税务局"
INDUSTRY = "县工业商务和信息化局"
LAND = "县自然资源局"
HOUSING = "县住房和城乡建设局"
POWER = "县供电局"
RURAL = "县乡村振兴局"
EDUCATION = "县教育体育局"
TRAINING_GROUP = "技术培训小组"
RELOCATION_GROUP = "厂房搬迁小组"

# The five key policies the report says were to be in place within one week.
KEY_POLICIES = ("培训补贴", "生产奖补", "劳务补助", "就业奖补", "税收优惠")

# Which demo user acts for a unit: the one whose grant is nearest the unit and holds the
# permission, preferring these roles in this order.
PREFERENCE: dict[Perm, tuple[Role, ...]] = {
    Perm.task_create: (Role.leader, Role.officer),
    Perm.task_work: (Role.officer, Role.leader),
    Perm.task_decide: (Role.leader,),
    Perm.issue_create: (Role.officer, Role.liaison, Role.leader),
    Perm.issue_work: (Role.officer, Role.leader),
    Perm.issue_decide: (Role.leader,),
    Perm.issue_confirm: (Role.officer, Role.liaison, Role.leader),
    Perm.feedback_create: (Role.leader, Role.officer, Role.liaison),
    Perm.chasing_supervise: (Role.leader,),
}
TASK_ACTION_PERMS = {
    "accept": Perm.task_work,
    "start": Perm.task_work,
    "progress": Perm.task_work,
    "submit": Perm.task_work,
    "request-extension": Perm.task_work,
    "verify": Perm.task_decide,
    "return": Perm.task_decide,
    "cancel": Perm.task_decide,
    "approve-extension": Perm.task_decide,
    "reject-extension": Perm.task_decide,
}
ISSUE_ACTION_PERMS = {
    "acknowledge": Perm.issue_work,
    "escalate": Perm.issue_work,
    "delegate": Perm.issue_decide,
    "resolve": Perm.issue_decide,
    "close": Perm.issue_confirm,
    "reopen": Perm.issue_confirm,
    "take-over": Perm.issue_decide,
}


# ---------------------------------------------------------------- the script's vocabulary


@dataclass(frozen=True)
class Step:
    """One action on an item, `hours` after the previous one, or at a fixed time."""

    action: str
    hours: float = 2.0
    at: When | None = None
    note: str = ""
    progress: int = 0
    rating: int = 0
    days: float = 0.0  # an extension: the due date asked for, in days after the request
    target: str = ""  # a delegation's unit
    who: str = ""  # the demo user, when not the usual one for the side
    sub: "TaskSpec | None" = None


@dataclass(frozen=True)
class TaskSpec:
    assignee: str
    title: str
    description: str
    due_days: float  # the due date, in days after creation
    steps: tuple[Step, ...] = ()
    issuer: str = ""  # empty for a subtask: the parent's assignee issues it
    created: When | None = None  # None for a subtask: created at its `sub` step
    priority: TaskPriority = TaskPriority.normal
    source: TaskSource = TaskSource.meeting


@dataclass(frozen=True)
class IssueSpec:
    reporter: str
    category: IssueCategory
    severity: IssueSeverity
    created: When
    title: str
    description: str
    steps: tuple[Step, ...] = ()


def accept(hours: float = 2.0, note: str = "", at: When | None = None) -> Step:
    return Step("accept", hours, at, note)


def start(hours: float = 2.0, note: str = "", at: When | None = None) -> Step:
    return Step("start", hours, at, note)


def progress(pct: int, note: str, hours: float = 24.0, at: When | None = None) -> Step:
    return Step("progress", hours, at, note, progress=pct)


def submit(note: str, hours: float = 24.0, at: When | None = None) -> Step:
    return Step("submit", hours, at, note)


def verify(note: str = "", hours: float = 4.0, at: When | None = None) -> Step:
    return Step("verify", hours, at, note)


def send_back(note: str, hours: float = 4.0, at: When | None = None) -> Step:
    return Step("return", hours, at, note)


def extend(days: float, note: str, hours: float = 24.0, at: When | None = None) -> Step:
    return Step("request-extension", hours, at, note, days=days)


def approve(note: str = "", hours: float = 4.0, at: When | None = None) -> Step:
    return Step("approve-extension", hours, at, note)


def cancel(note: str, hours: float = 4.0, at: When | None = None) -> Step:
    return Step("cancel", hours, at, note)


def sub(spec: TaskSpec, hours: float = 1.0, at: When | None = None) -> Step:
    return Step("subtask", hours, at, sub=spec)


def comment(note: str, hours: float = 2.0, who: str = "", at: When | None = None) -> Step:
    return Step("comment", hours, at, note, who=who)


def ack(hours: float = 1.0, note: str = "", at: When | None = None) -> Step:
    return Step("acknowledge", hours, at, note)


def escalate(note: str, hours: float = 4.0, at: When | None = None) -> Step:
    return Step("escalate", hours, at, note)


def delegate(target: str, note: str, hours: float = 2.0, at: When | None = None) -> Step:
    return Step("delegate", hours, at, note, target=target)


def resolve(note: str, hours: float = 24.0, at: When | None = None) -> Step:
    return Step("resolve", hours, at, note)


def close(rating: int, note: str = "", hours: float = 12.0, at: When | None = None) -> Step:
    return Step("close", hours, at, note, rating=rating)


def reopen(note: str, hours: float = 24.0, at: When | None = None) -> Step:
    return Step("reopen", hours, at, note)


def take_over(note: str = "", hours: float = 2.0, at: When | None = None) -> Step:
    """提级办理: the leader nearest above the handler makes their unit the handler."""
    return Step("take-over", hours, at, note)


# ---------------------------------------------------------------- tasks

POLICY_TASKS: tuple[TaskSpec, ...] = (
    TaskSpec(
        issuer=TASKFORCE,
        assignee=HRSS,
        title="培训补贴政策落实",
        description="隆滨电子科技有限公司提出：对电子元件、棒球两个加工车间新招录的搬迁群众"
        "开展岗前培训，申请落实培训补贴。请按项目合作框架协议约定，明确补贴标准、申报材料和"
        "拨付流程，1周内完成落实。",
        due_days=7,
        created=(41, 10, 0),
        priority=TaskPriority.urgent,
        source=TaskSource.policy,
        steps=(
            accept(1.5, "已收到，由就业促进股牵头办理。"),
            progress(
                50,
                "已与企业对接首期培训名册126人，补贴标准按每人每天60元、最长15天执行，正在会签。",
            ),
            submit(
                "《兰坪县产业就业项目岗前培训补贴实施细则》已印发，首期补贴申报材料已受理，"
                "随培训进度拨付。",
                48,
            ),
            verify("材料齐全，按期完成。", 20),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=INDUSTRY,
        title="生产奖补政策落实",
        description="企业提出：车间投产后按产值和吸纳就业人数给予生产奖补。请明确奖补条件、"
        "标准和兑现时间，1周内完成落实。",
        due_days=7,
        created=(41, 10, 5),
        priority=TaskPriority.urgent,
        source=TaskSource.policy,
        steps=(
            accept(3),
            progress(
                60,
                "已起草生产奖补办法，按月度产值和稳定用工人数分档奖补，正在征求县财政局意见。",
                50,
            ),
            submit("生产奖补办法已经县政府常务会议审议通过，首季度奖补申报指南已送达企业。", 70),
            verify("同意办结。", 6),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=RURAL,
        title="劳务补助政策落实",
        description="对到两个加工车间稳定就业的脱贫劳动力和易地搬迁群众落实劳务补助。"
        "请梳理符合条件人员名单，明确发放标准和方式，1周内完成落实。",
        due_days=7,
        created=(41, 10, 10),
        priority=TaskPriority.urgent,
        source=TaskSource.policy,
        steps=(
            accept(2),
            progress(
                40, "已比对两个车间首批入职人员名单，符合条件的脱贫劳动力和搬迁群众共163人。", 44
            ),
            submit("劳务补助按月随工资发放，发放名单与就业台账每月比对更新，已报专班备案。", 60),
            verify("", 18),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=HRSS,
        title="就业奖补政策落实",
        description="企业提出：对吸纳搬迁群众稳定就业满3个月的，给予一次性吸纳就业奖补。"
        "请明确认定口径和兑现流程，1周内完成落实。",
        due_days=7,
        created=(41, 10, 15),
        priority=TaskPriority.urgent,
        source=TaskSource.policy,
        steps=(
            accept(1),
            progress(60, "认定办法初稿已完成，拟以社会保险缴费记录认定稳定就业。", 28),
            submit("已印发一次性吸纳就业奖补认定办法。", 40),
            send_back("奖补对象未覆盖以灵活方式在车间就业的人员，请补充认定口径后重新提交。", 5),
            start(2, "按专班意见修改。"),
            submit("已补充灵活就业人员按考勤记录和工资流水认定的口径，办法已重新印发。", 22),
            verify("补充完善，同意办结。", 4),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=TAX,
        title="税收优惠政策落实",
        description="梳理企业可享受的西部大开发、吸纳重点群体就业等税收优惠政策，"
        "安排专人上门辅导备案和申报，1周内完成落实。",
        due_days=7,
        created=(41, 10, 20),
        priority=TaskPriority.urgent,
        source=TaskSource.policy,
        steps=(
            accept(2, "已安排税源管理分局负责。"),
            progress(70, "已上门开展政策辅导，企业已完成重点群体就业税收扣减备案。", 30),
            submit("企业适用的5项税收优惠政策已逐项辅导，相关备案和申报已办结。", 50),
            verify("", 16),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=DEVREFORM,
        title="厂房租赁优惠政策落实",
        description="企业提出车间厂房租金减免诉求。请会同翠屏街道、永兴社区明确租赁优惠期限"
        "和比例，签订厂房租赁协议，1周内完成。",
        due_days=7,
        created=(41, 10, 25),
        source=TaskSource.policy,
        steps=(
            accept(4),
            progress(50, "已与翠屏街道、永兴社区商定：前三年免收租金，第四、五年减半收取。", 48),
            submit("厂房租赁协议已签订，租赁优惠条款写入协议第五条。", 70),
            verify("", 10),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=POWER,
        title="车间生产用电保障",
        description="两个加工车间投产后预计用电负荷合计约800千伏安。请提前落实供电方案和"
        "接入工程，保障按期送电，1周内完成。",
        due_days=7,
        created=(41, 10, 30),
        source=TaskSource.policy,
        steps=(
            accept(2),
            progress(40, "已完成现场勘察，拟新装630千伏安箱式变压器一台。", 30),
            progress(80, "箱变已到货，正在施工接入。", 60),
            submit("电子元件车间已正式送电，棒球车间预留接入间隔已建成。", 40),
            verify("", 12),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=LAND,
        title="项目用地审批",
        description="棒球生产加工车间新建厂房用地需办理用地预审、规划许可等手续。"
        "请开辟绿色通道，1周内完成报批。",
        due_days=7,
        created=(41, 10, 35),
        source=TaskSource.policy,
        steps=(
            accept(3),
            progress(30, "已完成用地勘测定界，正在编制用地报批材料。", 50),
            progress(70, "用地预审意见已取得，建设用地规划许可已批前公示。", at=(10, 16, 20)),
            extend(
                8,
                "该地块新增建设用地指标需报州自然资源和规划局审批，目前用地预审已通过，"
                "规划许可批前公示期满后方可核发，申请延期8天。",
                at=(1, 11, 40),
            ),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=FINANCE,
        title="物流运输补贴政策落实",
        description="企业原材料和成品需经大理中转，运输成本高。请研究物流运输补贴办法，"
        "明确补贴标准和申报方式，1周内完成。",
        due_days=7,
        created=(41, 10, 40),
        source=TaskSource.policy,
        steps=(
            accept(5),
            progress(40, "正在测算企业月度运输量和运输费用。", 72),
            progress(70, "已与企业逐单核对近三个月运单，补贴测算初稿已完成。", at=(20, 15, 10)),
            submit("拟按实际运费的30%给予补贴，年度上限50万元。", at=(4, 10, 30)),
            send_back(
                "补贴测算未区分原材料和成品运输，与企业申报口径不一致，请与企业核对后重新测算提交。",
                at=(3, 9, 50),
            ),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=HRSS,
        title="社会保险补贴政策落实",
        description="对车间吸纳的就业困难人员和搬迁群众落实社会保险补贴。请明确补贴对象、"
        "标准和申领流程，1周内完成。",
        due_days=7,
        created=(41, 10, 45),
        source=TaskSource.policy,
        steps=(
            accept(2),
            progress(50, "补贴对象和标准已明确，正在制定申领流程。", 30),
            progress(
                80,
                "补贴申领需省级就业信息系统开通企业端口，已提请州人社局协调开通。",
                at=(20, 11, 0),
            ),
            submit(
                "系统端口已开通，首批86人社会保险补贴申领材料已受理，请专班审核。", at=(2, 16, 10)
            ),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=FINANCE,
        title="金融信贷支持",
        description="企业提出流动资金贷款需求。请协调县内金融机构提供信贷支持，"
        "落实创业担保贷款贴息政策，1周内完成对接。",
        due_days=7,
        created=(41, 10, 50),
        source=TaskSource.policy,
        steps=(
            accept(3),
            progress(30, "已组织农业银行、农村信用联社与企业对接。", 48),
            progress(60, "农村信用联社已完成授信调查，授信额度待上级行审批。", at=(15, 17, 0)),
            progress(80, "授信500万元已获批，贴息协议正在签订。", at=(4, 15, 30)),
        ),
    ),
)

WORKSHOP_TASKS: tuple[TaskSpec, ...] = (
    # 上门招工: the electronic-components workshop's first intake, through 翠屏街道.
    TaskSpec(
        issuer=TASKFORCE,
        assignee=CUIPING,
        title="电子元件加工车间首批招工（200人）",
        description="按照企业用工需求，组织辖区搬迁群众上门招工，首批招录电子元件组装工200人，"
        "优先招录有劳动能力的搬迁家庭成员，建立招工台账，每日报送进度。",
        due_days=14,
        created=(39, 9, 30),
        steps=(
            accept(1, "街道已成立上门招工突击队，分片包干到社区。"),
            sub(
                TaskSpec(
                    assignee=YONGXING,
                    title="永兴社区上门招工80人（电子元件加工车间）",
                    description="逐户走访永兴社区搬迁家庭，宣传车间岗位和待遇，登记意向人员，"
                    "组织参加面试。",
                    due_days=12,
                    steps=(
                        accept(2),
                        progress(40, "已入户走访312户，登记意向人员46人。", 48),
                        progress(85, "累计登记71人，已组织两批面试。", 96),
                        submit("共招录83人，已全部报名参加岗前培训。", 72),
                        verify("", 5),
                    ),
                ),
                3,
            ),
            sub(
                TaskSpec(
                    assignee=HEXIE,
                    title="和谐社区上门招工70人（电子元件加工车间）",
                    description="逐户走访和谐社区搬迁家庭，重点动员留守妇女和返乡人员，"
                    "登记意向人员并组织面试。",
                    due_days=12,
                    steps=(
                        accept(3),
                        progress(50, "已入户走访205户，登记意向人员37人。", 60),
                        submit("共招录72人。", 120),
                        verify("", 6),
                    ),
                ),
                0.2,
            ),
            sub(
                TaskSpec(
                    assignee=DALONG,
                    title="大龙社区上门招工50人（电子元件加工车间）",
                    description="逐户走访大龙社区搬迁家庭，登记意向人员，组织参加面试。",
                    due_days=12,
                    steps=(
                        accept(4),
                        progress(45, "已入户走访168户，登记意向人员23人。", 70),
                        submit("登记41人，其余人员因需照顾家中老人小孩暂不能外出务工。", 110),
                        send_back(
                            "未完成目标人数。请结合“一老一小”服务措施做通家庭工作后再上报。", 5
                        ),
                        start(3),
                        submit(
                            "落实日间照料和幸福食堂服务后新增招录8人，共49人，差额1人由永兴社区调剂。",
                            60,
                        ),
                        verify("同意。", 4),
                    ),
                ),
                0.2,
            ),
            progress(55, "三个社区已登记意向人员118人，已组织两批面试。", at=(33, 17, 30)),
            submit("三个社区共招录204人，已全部签订劳动合同，招工台账已报专班。", at=(26, 10, 0)),
            verify("经核对招工台账，首批招工任务完成。", 4),
        ),
    ),
    # 上门招工: the baseball workshop, through 永昌街道.
    TaskSpec(
        issuer=TASKFORCE,
        assignee=YONGCHANG,
        title="棒球生产加工车间招工（150人）",
        description="棒球生产加工车间计划下月试生产，需招录缝制、检验等岗位工人150人。"
        "请组织辖区社区上门招工，建立意向人员台账。",
        due_days=14,
        created=(10, 9, 0),
        steps=(
            accept(2),
            sub(
                TaskSpec(
                    assignee=JIANGTOUHE,
                    title="江头河社区上门招工80人（棒球生产加工车间）",
                    description="逐户走访江头河社区搬迁家庭，宣传缝制、检验岗位，登记意向人员。",
                    due_days=12,
                    steps=(
                        accept(3),
                        progress(30, "已走访186户，登记意向人员29人。", 72),
                        extend(
                            7,
                            "部分外出务工人员近期返乡，届时集中组织面试，申请延期7天。",
                            at=(3, 10, 0),
                        ),
                        approve("同意延期，请同步做好返乡人员登记。", at=(2, 9, 0)),
                        progress(55, "累计登记44人，已预约面试。", at=(1, 16, 0)),
                    ),
                ),
                4,
            ),
            progress(
                40,
                "江头河社区已登记意向人员42人；新城社区青壮年劳动力外出较多，进度偏慢。",
                at=(4, 17, 0),
            ),
            sub(
                TaskSpec(
                    assignee=XINCHENG,
                    title="新城社区上门招工70人（棒球生产加工车间）",
                    description="新城社区青壮年劳动力外出比例高，请重点动员留守妇女和返乡人员，"
                    "3日内报送意向人员名单。",
                    due_days=3,
                ),
                at=(2, 10, 0),
            ),
        ),
    ),
    # 厂房改造: the electronic-components workshop in a refitted building in 永兴社区.
    TaskSpec(
        issuer=TASKFORCE,
        assignee=CUIPING,
        title="电子元件加工车间厂房改造",
        description="利用永兴社区闲置商业用房改造电子元件加工车间，面积约2400平方米，"
        "完成水电改造、地面硬化、防静电处理和消防设施安装，确保按期投产。",
        due_days=18,
        created=(40, 15, 0),
        steps=(
            accept(2),
            sub(
                TaskSpec(
                    assignee=YONGXING,
                    title="配合厂房改造施工进场及材料堆放场地协调",
                    description="协调施工车辆进出路线和材料临时堆放场地，做好周边住户解释工作。",
                    due_days=14,
                    steps=(
                        accept(1),
                        progress(50, "已划定临时堆放区，施工车辆限定在9:00至18:00进出。", 72),
                        submit("施工期间无群众投诉，临时堆放场地已清理恢复。", at=(24, 11, 0)),
                        verify("", 5),
                    ),
                ),
                3,
            ),
            progress(30, "水电改造完成，地面硬化施工中。", at=(35, 18, 0)),
            progress(70, "防静电地面和照明改造完成，消防设施安装中。", at=(29, 17, 40)),
            submit("厂房改造全部完工，消防验收合格，已移交企业。", at=(23, 16, 0)),
            verify("现场查验合格。", 18),
        ),
    ),
    # 厂房新建: the baseball workshop, newly built beside 和谐社区.
    TaskSpec(
        issuer=TASKFORCE,
        assignee=CUIPING,
        title="棒球生产加工车间厂房新建",
        description="在和谐社区东侧新建棒球生产加工车间，建筑面积约3600平方米，钢结构厂房，"
        "完成场地平整、基础、主体和配套工程。",
        due_days=50,
        created=(38, 10, 0),
        steps=(
            accept(3),
            sub(
                TaskSpec(
                    assignee=HEXIE,
                    title="新建厂房施工周边群众工作及临时用地协调",
                    description="做好施工周边群众工作，协调施工便道和临时用地，及时化解矛盾。",
                    due_days=45,
                    steps=(
                        accept(2),
                        progress(
                            60, "临时用地协议已与3户群众签订，施工便道已打通。", at=(20, 15, 0)
                        ),
                        progress(80, "施工期间群众反映的问题均已当日处理。", at=(5, 17, 20)),
                    ),
                ),
                5,
            ),
            progress(20, "场地平整完成，基础施工中。", at=(30, 18, 0)),
            progress(45, "基础完工，钢结构进场吊装。", at=(18, 17, 30)),
            sub(
                TaskSpec(
                    assignee=DALONG,
                    title="组织大龙社区务工人员参与厂房建设",
                    description="组织辖区有建筑施工经验的务工人员参与厂房建设，增加群众务工收入。",
                    due_days=14,
                    steps=(
                        accept(20),
                        submit("已组织32名务工人员进场务工，工资按月结算。", at=(1, 17, 0)),
                    ),
                ),
                at=(12, 10, 0),
            ),
            progress(65, "主体钢结构封顶，屋面和墙面板安装中。", at=(3, 18, 10)),
            comment(
                "请加快屋面施工，确保月底前具备设备进场条件。",
                at=(2, 9, 30),
                who="taskforce.leader",
            ),
        ),
    ),
    # 厂房搬迁: the baseball workshop's equipment from the temporary site in 永昌街道.
    TaskSpec(
        issuer=TASKFORCE,
        assignee=RELOCATION_GROUP,
        title="编制棒球车间设备搬迁方案",
        description="棒球车间部分生产设备现存放于永昌街道临时生产点，需编制搬迁方案，"
        "明确搬迁时间、运输和安装调试安排。",
        due_days=7,
        created=(20, 9, 0),
        steps=(
            accept(2),
            submit("搬迁方案已编制：分两批搬迁，新厂房具备条件后实施。", 70),
            verify("", 16),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=YONGCHANG,
        title="棒球车间临时生产点设备搬迁及场地移交",
        description="按照搬迁方案，组织临时生产点设备清点、打包和运输，搬迁完成后将场地移交"
        "江头河社区。",
        due_days=7,
        created=(6, 9, 0),
        steps=(
            accept(3),
            progress(20, "设备清点完成，共42台套，已联系搬运公司。", 48),
            extend(7, "新建厂房消防验收尚未完成，设备无法进场安装，申请延期7天。", at=(1, 15, 0)),
        ),
    ),
    # 技术培训.
    TaskSpec(
        issuer=TASKFORCE,
        assignee=TRAINING_GROUP,
        title="制定两个车间岗前技能培训计划",
        description="会同企业制定电子元件组装、棒球缝制岗前培训计划、课程和师资安排。",
        due_days=5,
        created=(36, 9, 30),
        steps=(
            accept(1),
            submit("培训计划已制定：电子元件组装培训10天、棒球缝制培训15天，师资由企业派出。", 50),
            verify("", 6),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=HRSS,
        title="组织首期岗前技能培训（电子元件组装）",
        description="组织首批招录人员参加电子元件组装岗前培训，做好考勤、考核和补贴申报。",
        due_days=14,
        created=(33, 10, 0),
        steps=(
            accept(2),
            progress(30, "首期126人已开班。", 72),
            progress(80, "理论和实操培训已完成，正在组织考核。", at=(24, 17, 0)),
            submit("首期培训结业121人，5人因个人原因退出，结业人员全部上岗。", at=(20, 11, 30)),
            verify("", 5),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=HRSS,
        title="组织第二期岗前技能培训（棒球缝制）",
        description="组织棒球车间第二期缝制岗前培训，落实师资、场地、考勤和培训补贴申报。",
        due_days=10,
        created=(4, 9, 30),
        steps=(
            accept(2),
            progress(20, "第二期培训已确定师资和场地，已报名58人。", at=(1, 17, 30)),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=CUIPING,
        title="组织搬迁群众参加棒球缝制第二期培训",
        description="动员辖区搬迁群众参加棒球缝制第二期岗前培训，计划招收70人。",
        due_days=7,
        created=(5, 10, 0),
        steps=(
            accept(4),
            sub(
                TaskSpec(
                    assignee=YONGXING,
                    title="动员永兴社区40人参加棒球缝制第二期培训",
                    description="入户动员有意愿的搬迁群众报名，报名名单报街道汇总。",
                    due_days=6,
                    steps=(accept(16), progress(60, "已报名24人。", at=(1, 17, 0))),
                ),
                2,
            ),
            sub(
                TaskSpec(
                    assignee=HEXIE,
                    title="动员和谐社区30人参加棒球缝制第二期培训",
                    description="入户动员有意愿的搬迁群众报名，报名名单报街道汇总。",
                    due_days=6,
                ),
                0.3,
            ),
        ),
    ),
    # The task force's site checks (四查) turn findings into tasks.
    TaskSpec(
        issuer=TASKFORCE,
        assignee=YONGXING,
        title="四查发现：电子车间原料仓库消防通道堆放杂物",
        description="专班每日四查发现电子元件车间原料仓库消防通道堆放包装箱，请督促整改。",
        due_days=2,
        created=(12, 9, 40),
        source=TaskSource.inspection,
        steps=(
            accept(1),
            submit("已协调企业清理消防通道，设置禁止堆放标识。", 5),
            verify("复查已整改。", 18),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=YONGCHANG,
        title="四查发现：临时生产点设备防雨措施不到位",
        description="雨季来临，临时生产点露天存放的设备未覆盖，存在受潮损坏风险。",
        due_days=3,
        created=(16, 10, 20),
        source=TaskSource.inspection,
        steps=(
            accept(2),
            submit("已加盖防雨篷布并垫高设备。", 20),
            verify("", 20),
        ),
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=CUIPING,
        title="四查发现：新建厂房工地部分务工人员未实名登记",
        description="专班四查发现新建厂房工地有11名务工人员未实名登记，请督促施工方完善"
        "实名制管理和工资专户。",
        due_days=2,
        created=(1, 16, 30),
        source=TaskSource.inspection,
    ),
    TaskSpec(
        issuer=TASKFORCE,
        assignee=DALONG,
        title="大龙社区临时培训点场地改造",
        description="改造大龙社区活动室作为临时培训点，配备桌椅和实训工位。",
        due_days=10,
        created=(31, 11, 0),
        steps=(
            accept(5),
            progress(20, "已腾空活动室，正在采购桌椅。", 48),
            cancel("培训统一调整至县职业技能培训中心集中开展，不再单独设点。", at=(27, 15, 0)),
        ),
    ),
    # The county leaders' weekly dispatch (调度) produces action items.
    TaskSpec(
        issuer=COUNTY,
        assignee=POWER,
        title="第5周调度：电子元件车间二期生产线用电增容",
        description="县级领导第5周调度会议议定：电子元件车间二期新增两条生产线，需增容至"
        "1250千伏安，请县供电局一周内完成。",
        due_days=7,
        created=(8, 15, 0),
        source=TaskSource.dispatch,
        steps=(
            accept(2),
            progress(40, "增容方案已批复，变压器已订货。", 50),
            progress(70, "变压器已到货，等待停电计划审批后施工。", at=(2, 17, 0)),
        ),
    ),
    TaskSpec(
        issuer=COUNTY,
        assignee=HOUSING,
        title="第6周调度：棒球车间新建厂房消防设计审查和验收",
        description="第6周调度会议议定：新建厂房主体已封顶，请提前介入消防设计审查，"
        "具备条件后及时组织验收，为设备搬迁创造条件。",
        due_days=7,
        created=(1, 10, 0),
        source=TaskSource.dispatch,
    ),
    TaskSpec(
        issuer=COUNTY,
        assignee=CUIPING,
        title="第6周调度：车间员工“一老一小”服务保障",
        description="第6周调度会议议定：为解除车间员工后顾之忧，街道统筹老幼日间照料、"
        "幸福食堂、暖心送餐服务，覆盖两个车间倒班员工家庭。",
        due_days=5,
        created=(1, 11, 0),
        source=TaskSource.dispatch,
        steps=(
            accept(2, "街道已召开专题会部署。"),
            sub(
                TaskSpec(
                    assignee=YONGXING,
                    title="幸福食堂延长供餐时间，覆盖车间倒班员工",
                    description="幸福食堂晚餐供应时间延长至20:00，为倒班员工家中老人提供暖心送餐。",
                    due_days=2,
                ),
                1,
            ),
        ),
    ),
)

# ---------------------------------------------------------------- issues

S = IssueSeverity
C = IssueCategory

# Resolved by the community (the report: 12).
COMMUNITY_RESOLVED: tuple[IssueSpec, ...] = (
    IssueSpec(
        YONGXING,
        C.construction,
        S.normal,
        (37, 9, 20),
        "施工材料堆放占用小区消防通道",
        "电子元件车间改造施工方将水泥、管材堆放在永兴社区3栋至5栋之间的消防通道上，"
        "居民反映存在安全隐患。",
        (
            ack(0.5),
            resolve(
                "社区协调施工方将材料转移至划定的临时堆放区，消防通道已恢复畅通，"
                "并安排网格员每日巡查。",
                5,
            ),
            close(5, "处理及时，居民满意。", 20),
        ),
    ),
    IssueSpec(
        YONGXING,
        C.construction,
        S.low,
        (33, 10, 5),
        "施工车辆夜间进出噪音扰民",
        "改造工程混凝土罐车晚上10点后仍进出小区，多户居民反映影响休息。",
        (
            ack(1),
            resolve("与施工单位约定22:00后停止车辆进出和高噪音作业，社区公示监督电话。", 8),
            close(4, "", 30),
        ),
    ),
    IssueSpec(
        HEXIE,
        C.construction,
        S.normal,
        (27, 15, 40),
        "新建厂房施工便道与居民出行道路交叉",
        "新建厂房施工便道穿过和谐社区居民出行道路，上下学时段存在安全隐患。",
        (
            ack(1),
            resolve("社区协调施工方在交叉路口设置围挡和安全员，上下学时段暂停施工车辆通行。", 26),
            close(5, "", 6),
        ),
    ),
)

# Resolved by the street (the report: 42, land and power among them).
STREET_RESOLVED: tuple[IssueSpec, ...] = (
    IssueSpec(
        YONGXING,
        C.land,
        S.normal,
        (38, 10, 0),
        "车间改造临时用地涉及两户群众菜地",
        "厂房改造需临时占用厂房北侧约300平方米菜地作为材料加工场地，涉及两户群众，"
        "社区协调未达成一致。",
        (
            ack(1),
            # 提级办理: the street leader takes the community's issue over.
            take_over("涉及临时用地补偿标准，社区无权确定，街道提级办理。", 4),
            ack(2),
            resolve(
                "街道项目办会同社区入户协商，按临时用地补偿标准一次性补偿，两户群众已签订"
                "临时用地协议。",
                30,
            ),
            close(5, "", 10),
        ),
    ),
    IssueSpec(
        CUIPING,
        C.power,
        S.high,
        (36, 14, 30),
        "电子元件车间施工临时用电容量不足",
        "改造施工电焊机、切割机同时作业时临时用电频繁跳闸，影响施工进度。",
        (
            ack(0.5),
            resolve("街道协调供电所从附近台区增设临时电源箱一处，施工用电已恢复正常。", 20),
            close(4, "", 4),
        ),
    ),
    IssueSpec(
        HEXIE,
        C.land,
        S.high,
        (35, 9, 0),
        "新建厂房用地范围内有一处坟地需迁移",
        "棒球车间新建厂房红线范围内有一处坟地，需与家属协商迁移，社区多次沟通未果。",
        (
            ack(1),
            escalate("涉及迁坟补偿和民俗问题，需街道出面协调。", 3),
            ack(1),
            resolve(
                "街道党工委书记带队上门做工作，按政策给予迁移补偿，家属已选定日期完成迁移。", 70
            ),
            close(5, "街道领导亲自协调，问题解决彻底。", 20),
        ),
    ),
    IssueSpec(
        DALONG,
        C.power,
        S.normal,
        (30, 11, 0),
        "大龙社区至车间道路路灯不亮",
        "部分员工倒班需夜间步行往返车间，大龙社区至车间约800米道路路灯损坏。",
        (
            ack(2),
            escalate("路灯维修需街道协调经费。", 6),
            resolve("街道安排城建所更换损坏路灯14盏，已全部恢复照明。", 48),
            close(5, "", 10),
        ),
    ),
    IssueSpec(
        YONGXING,
        C.water,
        S.normal,
        (29, 9, 30),
        "车间生产用水接入需穿越小区绿化带",
        "电子元件车间生产用水管道接入需开挖小区绿化带约60米，部分业主有意见。",
        (
            ack(1),
            escalate("需街道与物业、业主委员会协调。", 5),
            ack(1),
            resolve("街道组织物业、业主代表现场协商，施工后恢复绿化，业主同意开挖。", 30),
            close(4, "", 40),
        ),
    ),
    IssueSpec(
        CUIPING,
        C.land,
        S.normal,
        (27, 10, 0),
        "棒球车间施工便道需借用集体土地",
        "新建厂房施工便道需借用和谐社区集体土地约0.8亩。",
        (
            ack(0.3),
            resolve("街道与和谐社区股份经济合作社签订临时借地协议，租金计入社区集体经济收入。", 28),
            close(5, "", 6),
        ),
    ),
    IssueSpec(
        HEXIE,
        C.power,
        S.normal,
        (24, 15, 0),
        "新建厂房施工用电报装进度慢",
        "新建厂房施工用电报装已提交一周，尚未接电，影响钢结构焊接作业。",
        (
            ack(1),
            escalate("需街道协调供电所加快办理。", 4),
            resolve("街道协调供电所开通绿色通道，施工临时用电已接通。", 26),
            close(4, "", 16),
        ),
    ),
    IssueSpec(
        YONGXING,
        C.materials,
        S.normal,
        (20, 9, 0),
        "车间原料进场车辆无处停放卸货",
        "企业原料运输车辆在小区主干道卸货，造成交通拥堵。",
        (
            ack(1),
            escalate("需街道统筹划定卸货区。", 3),
            ack(1),
            resolve("街道在车间西侧空地划定专用卸货区并设置标识，原料车辆错峰进出。", 24),
            close(5, "", 30),
        ),
    ),
    IssueSpec(
        DALONG,
        C.land,
        S.normal,
        (16, 10, 30),
        "员工通勤抄近路踩坏村民承包地",
        "大龙社区部分员工抄近路经承包地往返车间，踩坏庄稼，村民有意见。",
        (
            ack(2),
            escalate("需街道协调修建通勤便道。", 5),
            resolve("街道协调修建硬化通勤便道200米，对受损庄稼给予补偿。", 50),
            close(3, "便道已修好，但庄稼补偿到位较慢。", 40),
        ),
    ),
    IssueSpec(
        CUIPING,
        C.power,
        S.high,
        (9, 14, 0),
        "电子元件车间二期电缆敷设路径受阻",
        "二期增容电缆需经过街道农贸市场，部分市场经营户不同意开挖。",
        (
            ack(0.5),
            resolve("街道协调市场管理方，利用夜间闭市时段施工，施工后恢复路面。", 30),
        ),
    ),
    IssueSpec(
        YONGXING,
        C.water,
        S.low,
        (6, 10, 0),
        "车间员工倒班宿舍热水供应不足",
        "员工倒班宿舍热水器容量不足，晚班员工下班后无法洗浴。",
        (
            ack(2),
            escalate("需街道协调企业和物业增加设备。", 5),
            resolve("街道协调企业新增空气能热水器两台，已投入使用。", 40),
        ),
    ),
)

# Resolved under the county leaders (the report: 60 and more), often by a department.
COUNTY_RESOLVED: tuple[IssueSpec, ...] = (
    IssueSpec(
        YONGXING,
        C.labour,
        S.normal,
        (36, 10, 0),
        "搬迁群众缺少电子元件组装技能",
        "登记的意向人员大多没有工厂工作经历，企业担心上岗后良品率低。",
        (
            ack(1),
            escalate("需县级统筹培训资源。", 3),
            escalate("街道无培训资质和经费，提请县级协调。", 4),
            delegate(HRSS, "请县人社局牵头组织定向培训。", 3),
            ack(1),
            resolve("县人社局联合企业开设定向培训班，首期126人参训，培训合格后上岗。", 40),
            close(5, "", 30),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.policy,
        S.high,
        (40, 15, 0),
        "增值税留抵退税办理流程不清楚",
        "隆滨电子在县级周调度会上反映：企业新设立，对增值税留抵退税申请条件和流程不清楚，希望税务部门上门辅导。",
        (
            delegate(TAX, "请县税务局上门辅导。", 2),
            ack(2),
            resolve("县税务局已上门辅导，企业留抵退税申请已受理。", 26),
            close(5, "服务很到位。", 10),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.labour,
        S.normal,
        (32, 9, 0),
        "新员工试用期流失率较高",
        "隆滨电子在县级周调度会上反映：首批入职员工两周内离职17人，主要原因是不适应流水线作业和家中老人小孩无人照看。",
        (
            delegate(TASKFORCE, "请专班会同街道、社区研究稳岗措施。", 3),
            ack(1),
            resolve(
                "专班会同街道、社区开展一对一谈心，落实日间照料和幸福食堂服务，"
                "并建立新员工师带徒制度，流失率明显下降。",
                72,
            ),
            close(4, "", 30),
        ),
    ),
    IssueSpec(
        HEXIE,
        C.power,
        S.high,
        (34, 9, 0),
        "新建厂房需新建10千伏供电线路",
        "棒球车间新建厂房距离现有线路较远，需新建10千伏线路约1.2公里。",
        (
            ack(1),
            escalate("线路建设需县供电局立项。", 2),
            escalate("线路跨越两个社区，需县供电局立项建设。", 5),
            delegate(POWER, "请县供电局列入本月建设计划。", 2),
            ack(2),
            resolve("县供电局已完成10千伏线路架设，具备送电条件。", 120),
            close(5, "", 20),
        ),
    ),
    IssueSpec(
        CUIPING,
        C.funding,
        S.normal,
        (31, 10, 0),
        "电子元件车间改造资金缺口",
        "电子元件车间改造工程实际投资超出预算约85万元，街道无法自筹。",
        (
            ack(0.5),
            escalate("需县级统筹资金。", 4),
            resolve("县财政从产业发展资金中安排85万元，已拨付。", 52),
            close(4, "", 8),
        ),
    ),
    IssueSpec(
        YONGXING,
        C.labour,
        S.normal,
        (28, 14, 0),
        "车间员工子女放学后无人照看",
        "不少车间员工下班晚于孩子放学时间，孩子放学后无人接送照看，影响员工安心上班。",
        (
            ack(1),
            escalate("需协调学校延时服务。", 4),
            escalate("需教育部门统筹课后服务。", 6),
            delegate(EDUCATION, "请县教育体育局协调课后服务。", 2),
            resolve("县教育体育局协调永兴完小延时课后服务至18:30，覆盖车间员工子女63人。", 48),
            close(5, "", 20),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.materials,
        S.normal,
        (26, 10, 0),
        "原材料运输车辆县城路段限行",
        "隆滨电子在县级周调度会上反映：县城部分路段对货车限行，原材料运输车辆进出车间需绕行约20公里。",
        (
            delegate(TASKFORCE, "请专班协调交警部门。", 1),
            ack(1),
            resolve("专班协调县交警大队为企业原材料运输车辆办理通行证，限定时段通行。", 30),
            close(4, "", 12),
        ),
    ),
    IssueSpec(
        DALONG,
        C.water,
        S.normal,
        (25, 9, 30),
        "车间生活污水排放接入问题",
        "车间生活污水暂时排入化粪池，容量不足，需接入市政污水管网。",
        (
            ack(1),
            escalate("需协调市政管网接入。", 4),
            escalate("市政污水管网接入需县住建部门审批和施工。", 4),
            delegate(HOUSING, "请县住建局办理。", 2),
            ack(2),
            resolve("县住建局已将车间生活污水接入市政污水管网。", 96),
            close(4, "", 20),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.policy,
        S.normal,
        (23, 11, 0),
        "吸纳就业补贴申领材料繁琐",
        "隆滨电子在县级周调度会上反映：吸纳搬迁群众就业补贴申领需提交材料较多，企业人力资源部门难以逐人准备。",
        (
            delegate(HRSS, "请县人社局研究简化。", 2),
            ack(1),
            resolve("县人社局精简申领材料至3项，实行“一表申领”。", 48),
            close(5, "", 16),
        ),
    ),
    IssueSpec(
        CUIPING,
        C.materials,
        S.normal,
        (21, 9, 0),
        "棒球车间钢结构材料供应延迟",
        "钢结构材料供应商交货推迟10天，将影响主体吊装进度。",
        (
            ack(0.5),
            escalate("需县级协调供应商。", 3),
            delegate(INDUSTRY, "请县工信商务局协调。", 2),
            resolve("县工信商务局协调州内钢材供应商优先供货，钢结构材料已全部进场。", 70),
            close(4, "", 10),
        ),
    ),
    IssueSpec(
        YONGXING,
        C.labour,
        S.normal,
        (19, 10, 0),
        "车间员工社会保险参保登记办理难",
        "新入职员工多为首次参保，需往返县城办理，请假影响生产。",
        (
            ack(1),
            escalate("需县人社部门现场服务。", 3),
            escalate("需县人社局到车间设点办理。", 4),
            delegate(HRSS, "请县人社局设立服务点。", 2),
            ack(1),
            resolve("县人社局在车间设立社保服务点，现场办理参保登记152人。", 40),
            close(5, "", 24),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.labour,
        S.high,
        (17, 9, 0),
        "棒球车间缝制技术骨干招聘困难",
        "隆滨电子在县级周调度会上反映：棒球缝制工艺要求高，本地缺少技术骨干，影响试生产和带徒。",
        (
            delegate(HRSS, "请县人社局协助招聘。", 2),
            ack(1),
            resolve("县人社局联合企业从外省引进缝制技术骨干8名，并开设本地缝制培训班。", 90),
            close(4, "", 20),
        ),
    ),
    IssueSpec(
        YONGCHANG,
        C.power,
        S.normal,
        (15, 10, 0),
        "临时生产点电压不稳影响设备运行",
        "临时生产点所在台区电压波动大，缝纫设备频繁停机。",
        (
            ack(1),
            escalate("需县供电局处理。", 3),
            delegate(POWER, "请县供电局核查处理。", 2),
            resolve("县供电局调整台区变压器分接头，并加装稳压装置。", 30),
            close(4, "", 20),
        ),
    ),
    IssueSpec(
        HEXIE,
        C.policy,
        S.normal,
        (13, 15, 0),
        "搬迁群众担心就业后低保被取消",
        "部分搬迁群众到车间就业后担心低保被取消，不愿签订劳动合同。",
        (
            ack(1),
            escalate("需县级明确政策口径。", 4),
            escalate("低保渐退政策需县级部门明确。", 4),
            resolve("县民政部门明确：就业后收入超标的实行6个月渐退期，社区已入户宣传政策。", 50),
            close(5, "", 30),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.funding,
        S.normal,
        (8, 10, 0),
        "首季度生产奖补兑现时间",
        "隆滨电子在县级周调度会上反映：企业已提交首季度生产奖补申报材料，询问兑现时间。",
        (
            delegate(INDUSTRY, "请县工信商务局答复。", 2),
            resolve("首季度生产奖补已完成审核，本月底前拨付。", 30),
        ),
    ),
    IssueSpec(
        YONGXING,
        C.materials,
        S.normal,
        (5, 9, 0),
        "电子车间包装材料本地无法采购",
        "车间成品包装材料需从昆明采购，到货周期长，影响出货。",
        (
            ack(1),
            escalate("需协调物流渠道。", 3),
            escalate("需县级协调物流企业。", 4),
            resolve("县工信商务局对接物流企业开通昆明至兰坪包装材料专线，每周两班。", 48),
        ),
    ),
)

# Resolved by the prefecture guidance team (the report: 26).
PREFECTURE_RESOLVED: tuple[IssueSpec, ...] = (
    IssueSpec(
        CUIPING,
        C.land,
        S.high,
        (39, 10, 0),
        "棒球车间新建厂房用地指标不足",
        "新建厂房需新增建设用地约12亩，县级年度用地指标已用完。",
        (
            ack(0.5),
            escalate("县级年度用地指标不足，提请县级协调。", 2),
            escalate("县级年度用地指标已用完，需州级调剂。", 6),
            delegate(PREFECTURE_TEAM, "请指导组蹲点协调。", 4),
            resolve(
                "州级指导组协调州自然资源和规划局调剂新增建设用地指标12亩，用地预审已通过。", 96
            ),
            close(5, "", 10),
        ),
    ),
    IssueSpec(
        ENTERPRISE,
        C.funding,
        S.normal,
        (34, 10, 0),
        "企业申请州级产业扶持资金",
        "企业二期生产线设备投资较大，希望纳入州级产业扶持项目。",
        (
            take_over("企业无办理权限，县级提级办理。", 2),
            ack(1),
            escalate("需州级层面支持。", 4),
            resolve("州工业和信息化局将项目纳入州级产业扶持项目库，下达扶持资金200万元。", 150),
            close(5, "", 20),
        ),
    ),
    IssueSpec(
        HEXIE,
        C.labour,
        S.normal,
        (30, 9, 0),
        "棒球车间缝制工需跨县调剂",
        "棒球车间缝制工缺口较大，本县劳动力不足，希望从周边县调剂劳动力。",
        (
            ack(1),
            escalate("需跨县协调劳动力。", 3),
            escalate("需县级与周边县对接。", 4),
            escalate("跨县劳务协作需州级统筹。", 6),
            resolve("州人社局组织泸水、福贡两地开展定向招聘，输送缝制工46人。", 120),
            close(4, "", 30),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.power,
        S.high,
        (26, 15, 0),
        "两个车间全面投产后需主网改造",
        "两个车间全部投产后负荷超出现有35千伏变电站容量。",
        (
            ack(1),
            escalate("需州供电局列入主网改造计划。", 4),
            delegate(PREFECTURE_TEAM, "请指导组协调州供电局。", 3),
            resolve("指导组协调州供电局将兰坪35千伏变电站增容列入年度计划并提前实施。", 100),
            close(4, "", 20),
        ),
    ),
    IssueSpec(
        ENTERPRISE,
        C.materials,
        S.normal,
        (22, 10, 0),
        "原材料经大理中转物流成本高",
        "原材料经大理中转二次装卸，运费比同类企业高约三成。",
        (
            take_over("企业反映的物流问题由县级提级办理。", 1),
            ack(1),
            escalate("需州级协调物流通道。", 4),
            resolve("州商务局协调物流企业开通大理至兰坪货运专线，运费下降约20%。", 90),
            close(5, "", 20),
        ),
    ),
    IssueSpec(
        YONGXING,
        C.policy,
        S.normal,
        (18, 9, 0),
        "车间用工纳入州级稳岗补贴范围",
        "两个车间尚未认定为州级就业帮扶车间，员工无法享受州级稳岗补贴。",
        (
            ack(1),
            escalate("需上级认定。", 3),
            escalate("需县人社局申报。", 4),
            escalate("就业帮扶车间认定权限在州级。", 4),
            delegate(PREFECTURE_TEAM, "请指导组现场办公。", 3),
            resolve("指导组现场办公，明确两个车间纳入州级就业帮扶车间认定，享受稳岗补贴。", 70),
            close(5, "", 24),
        ),
    ),
    IssueSpec(
        TASKFORCE,
        C.funding,
        S.normal,
        (11, 10, 0),
        "车间配套职工食堂建设资金",
        "两个车间倒班员工就餐需求大，配套职工食堂建设资金约60万元无来源。",
        (
            escalate("县级资金已统筹用于厂房建设，需州级支持。", 2),
            resolve("州乡村振兴局安排衔接资金60万元用于职工食堂建设。", 80),
        ),
    ),
)

# Still being worked: open, acknowledged, overdue, due soon, one reopened.
UNRESOLVED: tuple[IssueSpec, ...] = (
    IssueSpec(
        YONGXING,
        C.construction,
        S.high,
        (2, 10, 30),
        "电子车间二期隔断施工粉尘影响居民",
        "二期生产线隔断施工切割石膏板粉尘大，相邻住户反映无法开窗。",
    ),
    IssueSpec(
        HEXIE,
        C.water,
        S.normal,
        (6, 9, 0),
        "新建厂房施工导致居民自来水浑浊",
        "新建厂房施工挖断供水支管后抢修，和谐社区东片区自来水浑浊已两天。",
        (ack(2),),
    ),
    IssueSpec(
        DALONG,
        C.power,
        S.normal,
        (12, 10, 0),
        "大龙社区员工宿舍频繁停电",
        "员工宿舍所在楼栋近期频繁停电，晚班员工休息受影响。",
        (ack(2), escalate("线路老化，需街道协调改造。", 5), ack(3)),
    ),
    IssueSpec(
        YONGXING,
        C.labour,
        S.normal,
        (10, 14, 0),
        "倒班员工幸福食堂晚餐供应不足",
        "幸福食堂晚餐供应量有限，晚班员工家中老人就餐不便。",
        (
            ack(1),
            escalate("需扩大供餐规模。", 4),
            escalate("扩大供餐规模需县级协调资金。", 20),
            comment("已有多名员工反映，请尽快协调。", at=(4, 10, 0)),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.power,
        S.high,
        (7, 10, 0),
        "二期生产线试产期间频繁跳闸",
        "隆滨电子在县级周调度会上反映：二期生产线试产期间一周内跳闸5次，需排查供电线路和设备。",
        (
            delegate(POWER, "请县供电局排查。", 2),
            ack(3),
            comment("跳闸已造成两批次产品报废，请加快处理。", at=(3, 9, 20)),
        ),
    ),
    IssueSpec(
        COUNTY,
        C.funding,
        S.normal,
        (9, 9, 0),
        "棒球车间设备购置贷款贴息资金缺口",
        "棒球车间设备购置贷款贴息资金缺口约40万元，县级财力难以承担。",
        (ack(1), escalate("需州级贴息资金支持。", 6)),
    ),
    IssueSpec(
        JIANGTOUHE,
        C.land,
        S.normal,
        (4, 10, 0),
        "临时生产点搬迁后场地移交存在争议",
        "临时生产点租用的集体场地，部分群众要求搬迁后恢复原状再移交。",
        (ack(3),),
    ),
    IssueSpec(
        ENTERPRISE,
        C.policy,
        S.normal,
        (1, 11, 0),
        "外地技术骨干子女入学问题",
        "从外省引进的8名缝制技术骨干中有5人子女需在兰坪就读，请协调入学。",
    ),
    IssueSpec(
        CUIPING,
        C.construction,
        S.normal,
        (3, 15, 0),
        "新建厂房雨季排水不畅",
        "新建厂房场地排水沟未完工，雨后场地积水影响施工。",
        (ack(1),),
    ),
    IssueSpec(
        YONGXING,
        C.construction,
        S.normal,
        (9, 9, 0),
        "电子车间屋面漏雨",
        "连续降雨后电子元件车间东侧屋面漏雨，部分工位无法使用。",
        (
            ack(1),
            escalate("需街道协调施工单位返修。", 3),
            resolve("街道协调原施工单位对屋面进行防水修补。", 30),
            close(3, "", 20),
            reopen("近日降雨后再次漏雨，请彻底维修。", at=(1, 9, 30)),
        ),
    ),
    IssueSpec(
        XINCHENG,
        C.labour,
        S.low,
        (2, 9, 0),
        "留守妇女就业意愿强但孩子无人照看",
        "新城社区留守妇女有意到棒球车间就业，但学龄前儿童无人照看。",
    ),
    IssueSpec(
        HEXIE,
        C.materials,
        S.normal,
        (5, 16, 0),
        "新建厂房工地施工材料被盗",
        "新建厂房工地夜间丢失钢筋和电缆，施工方请求加强巡逻。",
        (ack(1), escalate("需街道协调派出所加强巡逻。", 3)),
    ),
    IssueSpec(
        COUNTY,
        C.labour,
        S.normal,
        (1, 15, 30),
        "第二期培训学员往返交通不便",
        "第二期缝制培训在县职业技能培训中心举办，新城、江头河社区学员往返交通不便，"
        "部分学员可能中途退出。",
        (delegate(HRSS, "请县人社局研究安排学员接送。", 1),),
    ),
    IssueSpec(
        YONGXING,
        C.other,
        S.normal,
        (3, 9, 0),
        "员工上下班高峰交通安全隐患",
        "车间上下班高峰时段员工电动车与施工车辆混行，存在交通安全隐患。",
        (ack(2),),
    ),
)

ALL_ISSUES = (
    *COMMUNITY_RESOLVED,
    *STREET_RESOLVED,
    *COUNTY_RESOLVED,
    *PREFECTURE_RESOLVED,
    *UNRESOLVED,
)
ALL_TOP_TASKS = (*POLICY_TASKS, *WORKSHOP_TASKS)


# ---------------------------------------------------------------- the loader


@dataclass
class _Window:
    lo: datetime
    hi: datetime
    fake: datetime


@dataclass
class Loader:
    session: AsyncSession
    now: datetime
    units: dict[str, OrgUnit] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)
    windows: list[_Window] = field(default_factory=list)
    _starts: list[datetime] = field(default_factory=list)
    _actors: dict[tuple[str, Perm, str], Principal] = field(default_factory=dict)
    # Tasks planned with a due date already past: created due a second from then (the
    # service refuses a past due date), given their planned one when backdated.
    _past_due: dict[uuid.UUID, tuple[datetime, datetime]] = field(default_factory=dict)

    async def setup(self) -> None:
        orgs = (await self.session.execute(sa.select(OrgUnit))).scalars().all()
        self.units = {org.name: org for org in orgs}
        rows: Sequence[Any] = (
            await self.session.execute(
                sa.select(
                    col(User.id),
                    col(User.username),
                    col(User.display_name),
                    col(Grant.id).label("grant_id"),
                    col(Grant.org_id),
                    col(Grant.role),
                    col(OrgUnit.path),
                )
                .join(Grant, col(Grant.user_id) == col(User.id))
                .join(OrgUnit, col(OrgUnit.id) == col(Grant.org_id))
                .where(col(User.is_active))
                .order_by(col(User.username))
            )
        ).all()
        grants: dict[str, list[GrantScope]] = {}
        names: dict[str, tuple[uuid.UUID, str]] = {}
        for r in rows:
            names[r.username] = (r.id, r.display_name)
            grants.setdefault(r.username, []).append(
                GrantScope(
                    grant_id=r.grant_id, org_id=r.org_id, role=Role(r.role), path=tuple(r.path)
                )
            )
        session_id = uuid.uuid4()  # no sign-in session: the loader acts for the users
        self.principals = {
            username: Principal(
                user_id=names[username][0],
                username=username,
                display_name=names[username][1],
                session_id=session_id,
                grants=tuple(user_grants),
            )
            for username, user_grants in grants.items()
        }

    # ------------------------------------------------------------ who and when

    def unit(self, name: str) -> OrgUnit:
        return self.units[name]

    def actor(self, unit_name: str, perm: Perm, who: str = "", other: str = "") -> Principal:
        """The demo user who acts for `unit_name` with `perm`: the nearest grant wins. On
        an item whose other party is `other`, only a grant that stands on this unit's side
        (separation of duties) counts."""
        if who:
            return self.principals[who]
        key = (unit_name, perm, other)
        found = self._actors.get(key)
        if found is not None:
            return found
        unit = self.unit(unit_name)
        path = unit.path
        prefer = PREFERENCE[perm]
        best: tuple[tuple[int, int], Principal] | None = None
        for principal in self.principals.values():
            for grant in principal.grants:
                if grant.role not in prefer or not role_has(grant.role, perm):
                    continue
                if not is_within(path, grant.path):
                    continue
                if other and not self._stands_for(grant.path, unit, self.unit(other)):
                    continue
                score = (len(grant.path), -prefer.index(grant.role))
                if best is None or score > best[0]:
                    best = (score, principal)
        if best is None:
            raise LookupError(f"No demo user may act for {unit_name} with {perm.value}.")
        self._actors[key] = best[1]
        return best[1]

    @staticmethod
    def _stands_for(grant: Sequence[int], unit: OrgUnit, other: OrgUnit) -> bool:
        """Whether a grant at `grant`, covering `unit`, stands on its side of an item
        whose other party is `other` (app/workitems/sides.py)."""
        if not is_within(other.path, tuple(grant)):
            return True
        if unit.id == other.id:
            return len(grant) == len(unit.path)
        return upper_party(tuple(unit.path), tuple(other.path), unit.tier, other.tier) == 0

    def above(self, unit_name: str) -> Principal:
        """The leader nearest above `unit_name`, who may take its issue over."""
        parent_id = self.unit(unit_name).parent_id
        parent = next(u for u in self.units.values() if u.id == parent_id)
        return self.actor(parent.name, Perm.issue_decide)

    def responsible(self, unit_name: str) -> uuid.UUID | None:
        """An officer (else a leader) holding a grant at exactly this unit, if any."""
        org_id = self.unit(unit_name).id
        for role in (Role.officer, Role.leader):
            for principal in self.principals.values():
                if any(g.org_id == org_id and g.role == role for g in principal.grants):
                    return principal.user_id
        return None

    def when(self, at: When) -> datetime:
        days, hour, minute = at
        local = (self.now.astimezone(CST) - timedelta(days=days)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
        return local.astimezone(UTC)

    def next_time(self, previous: datetime, step: Step) -> datetime:
        """The step's demo time: fixed, or `hours` later moved into working hours; never
        before the previous step nor later than a little before now."""
        if step.at is not None:
            moment = self.when(step.at)
        else:
            moment = previous + timedelta(hours=step.hours)
            local = moment.astimezone(CST)
            if local.hour >= 21:
                local = (local + timedelta(days=1)).replace(hour=8, minute=30 + local.minute // 2)
            elif local.hour < 8:
                local = local.replace(hour=8, minute=30 + local.minute // 2)
            moment = local.astimezone(UTC)
        moment = min(moment, self.now - timedelta(minutes=30))
        return max(moment, previous + timedelta(minutes=1))

    async def at(self, fake: datetime, call: Callable[[], Awaitable[T]]) -> T:
        """Run one service call; remember its real-time window and its demo time."""
        lo = utcnow()
        if self.windows and lo <= self.windows[-1].hi:
            lo = self.windows[-1].hi + timedelta(microseconds=1)
            while utcnow() < lo:
                pass
        result = await call()
        await self.session.flush()
        self.windows.append(_Window(lo=lo, hi=utcnow(), fake=fake))
        return result

    # ------------------------------------------------------------ tasks

    async def task(
        self,
        spec: TaskSpec,
        created: datetime,
        parent: tuple[uuid.UUID, str] | None = None,
    ) -> None:
        issuer = parent[1] if parent else spec.issuer
        planned_due = created + timedelta(days=spec.due_days)
        due = max(planned_due, utcnow() + timedelta(seconds=1))
        data = TaskCreate(
            title=spec.title,
            description=spec.description,
            issuer_org_id=None if parent else self.unit(issuer).id,
            assignee_org_id=self.unit(spec.assignee).id,
            responsible_user_id=self.responsible(spec.assignee),
            due_at=due,
            priority=spec.priority,
            source=spec.source,
            parent_id=parent[0] if parent else None,
        )
        creator = self.actor(issuer, Perm.task_create)
        made = await self.at(created, partial(TASKS.create, self.session, creator, data))
        task_id: uuid.UUID = made["id"]
        if due != planned_due:
            self._past_due[task_id] = (due, planned_due)
        moment = created
        for step in spec.steps:
            moment = self.next_time(moment, step)
            if step.action == "subtask":
                assert step.sub is not None
                await self.task(step.sub, moment, parent=(task_id, spec.assignee))
                continue
            if step.action == "comment":
                who = self.actor(issuer, Perm.feedback_create, step.who)
                body = WrittenFeedback(kind=FeedbackKind.comment, body=step.note)
                await self.at(
                    moment, partial(workitems.add_feedback, TASKS, self.session, who, task_id, body)
                )
                continue
            perm = TASK_ACTION_PERMS[step.action]
            # Every return in the script rejects a submission: the issuer's.
            assignee_side = perm == Perm.task_work
            side, other = (spec.assignee, issuer) if assignee_side else (issuer, spec.assignee)
            who = self.actor(side, perm, step.who, other)
            fields: dict[str, Any] = {"note": step.note}
            if step.action == "progress":
                fields["progress"] = step.progress
            elif step.action == "request-extension":
                # The service wants the date asked for to lie in the real future.
                asked = moment + timedelta(days=step.days)
                if asked <= self.now:
                    raise ValueError(f"{spec.title}: an extension must end in the future.")
                fields["due_at"] = asked
            await self.act(TASKS, moment, who, task_id, step.action, fields)

    # ------------------------------------------------------------ issues

    async def issue(self, spec: IssueSpec) -> None:
        created = self.when(spec.created)
        data = IssueCreate(
            title=spec.title,
            description=spec.description,
            category=spec.category,
            severity=spec.severity,
            reporter_org_id=self.unit(spec.reporter).id,
        )
        reporter = self.actor(spec.reporter, Perm.issue_create)
        made = await self.at(created, partial(ISSUES.create, self.session, reporter, data))
        issue_id: uuid.UUID = made["id"]
        handler = spec.reporter
        moment = created
        for step in spec.steps:
            moment = self.next_time(moment, step)
            if step.action == "comment":
                who = self.actor(spec.reporter, Perm.feedback_create, step.who)
                body = WrittenFeedback(kind=FeedbackKind.comment, body=step.note)
                await self.at(
                    moment,
                    partial(workitems.add_feedback, ISSUES, self.session, who, issue_id, body),
                )
                continue
            perm = ISSUE_ACTION_PERMS[step.action]
            if step.action == "take-over":
                who = self.principals[step.who] if step.who else self.above(handler)
            else:
                parties = (spec.reporter, handler)
                side, other = parties if perm == Perm.issue_confirm else parties[::-1]
                who = self.actor(side, perm, step.who, other)
            fields: dict[str, Any] = {"note": step.note}
            if step.action == "delegate":
                fields["target_org_id"] = self.unit(step.target).id
            elif step.action == "close":
                fields["rating"] = step.rating
            result = await self.act(ISSUES, moment, who, issue_id, step.action, fields)
            handler = str(result["handler_org_name"])

    async def act(
        self,
        kind: WorkItemKind,
        moment: datetime,
        who: Principal,
        item_id: uuid.UUID,
        action: str,
        fields: dict[str, Any],
    ) -> dict[str, Any]:
        """Take `action` through the action template, its body built by its rule row."""
        body = kind.workflow.action(action).body.model_validate(fields)
        result: dict[str, Any] = await self.at(
            moment,
            partial(workitems.act, kind, self.session, who, item_id, action, body, None),
        )
        return result

    # ------------------------------------------------------------ timestamps

    def demo_time(self, real: datetime | None) -> datetime | None:
        """The demo time of a timestamp the services wrote during a recorded call."""
        if real is None:
            return None
        i = bisect_right(self._starts, real) - 1
        if i >= 0 and real <= self.windows[i].hi:
            return self.windows[i].fake
        return real

    async def _move(
        self,
        table: str,
        key: str,
        columns: Sequence[str],
        shifted: Sequence[str] = (),
    ) -> None:
        """Move `columns` to demo time; move `shifted` by as much as `columns[0]` moved."""
        t = metadata.tables[table]
        first = self.windows[0].lo
        rows = (
            await self.session.execute(
                sa.select(t.c[key], *(t.c[c] for c in (*columns, *shifted))).where(
                    t.c[columns[0]] >= first
                )
            )
        ).all()
        params: list[dict[str, Any]] = []
        for row in rows:
            values = row._mapping
            moved: dict[str, Any] = {f"v_{c}": self.demo_time(values[c]) for c in columns}
            delta = moved[f"v_{columns[0]}"] - values[columns[0]]
            moved.update({f"v_{c}": values[c] + delta for c in shifted})
            moved["k"] = values[key]
            params.append(moved)
        if params:
            await self.session.execute(
                sa.update(t)
                .where(t.c[key] == sa.bindparam("k"))
                .values({c: sa.bindparam(f"v_{c}") for c in (*columns, *shifted)}),
                params,
            )

    async def backdate(self) -> None:
        """Move everything the services stamped to the demo time of its step."""
        self._starts = [w.lo for w in self.windows]
        # A task's deadlines are the demo's own; an issue's due date follows from its
        # creation time and severity.
        await self._move(
            "tasks",
            "id",
            _moments("tasks", "due_at", "extension_due_at", "accept_due_at", *MOMENTS),
        )
        await self._planned_due_dates()
        await self._acceptance_limits()
        await self._move(
            "issues", "id", _moments("issues", "due_at", *MOMENTS), shifted=("due_at",)
        )
        await self._move("item_events", "id", ("at",))
        await self._move("feedback", "id", ("created_at",))
        await self._move("notifications", "id", ("created_at",))

    async def _planned_due_dates(self) -> None:
        """Give the tasks created with a stand-in due date their planned one, unless an
        approved extension has replaced it since, in the task and in its timeline."""
        tasks, events = metadata.tables["tasks"], metadata.tables["item_events"]
        for task_id, (stand_in, planned) in self._past_due.items():
            await self.session.execute(
                sa.update(tasks)
                .where(tasks.c.id == task_id, tasks.c.due_at == stand_in)
                .values(due_at=planned)
            )
            # Event data holds timestamps as ISO strings (workitems.repository.jsonable).
            await self.session.execute(
                sa.update(events)
                .where(events.c.entity_id == task_id, events.c.data.is_not(None))
                .values(
                    data=sa.func.replace(
                        sa.cast(events.c.data, sa.Text),
                        f'"{stand_in.isoformat()}"',
                        f'"{planned.isoformat()}"',
                    ).cast(events.c.data.type)
                )
            )

    async def _acceptance_limits(self) -> None:
        """The acceptance limits from the demo issue times (the services fixed them from the
        real ones)."""
        t = metadata.tables["tasks"]
        rows = (await self.session.execute(sa.select(t.c.id, t.c.created_at))).all()
        params = [
            {"k": row.id, "v": await acceptance_limit(self.session, row.created_at)} for row in rows
        ]
        if params:
            await self.session.execute(
                sa.update(t)
                .where(t.c.id == sa.bindparam("k"))
                .values(accept_due_at=sa.bindparam("v")),
                params,
            )

    async def colour_history(self) -> None:
        """Each open item's colours as they would have been recorded live: one
        `colour_changed` event at every moment its colour changed in demo time (the clock
        passing a moment, a return or a reopening setting the yellow flag), and its colour
        now recorded. The events the playback itself caused, in real time, are dropped."""
        for table in ("tasks", "issues"):
            colour_now = _COLOUR_AT.format(flag="yellow", at=":now")
            await self.session.execute(
                sa.text(f"UPDATE {table} SET colour = {colour_now} WHERE colour <> {colour_now}"),
                {"now": self.now},
            )
        await self.session.execute(
            sa.text("SET CONSTRAINTS colour_tasks_changed, colour_issues_changed IMMEDIATE")
        )
        await self.session.execute(
            sa.text("DELETE FROM item_events WHERE action = 'colour_changed'")
        )
        for table, entity, flag_action in (
            ("tasks", "task", "return"),
            ("issues", "issue", "reopen"),
        ):
            colour = _COLOUR_AT.format(
                flag="coalesce(p.at >= p.flag_from, false)", at="p.at + interval '1 microsecond'"
            )
            await self.session.execute(
                sa.text(
                    "WITH flagged AS (SELECT x.id, x.created_at, x.red_from, x.yellow_from,"
                    " x.blue_from, CASE WHEN x.yellow THEN (SELECT max(e.at) FROM item_events e"
                    " WHERE e.entity_id = x.id AND e.action = :flag_action) END AS flag_from"
                    f" FROM {table} x WHERE x.red_from IS NOT NULL),"
                    " points AS (SELECT f.*, m.at FROM flagged f, LATERAL (VALUES"
                    " (f.created_at), (f.red_from), (f.yellow_from), (f.blue_from), (f.flag_from))"
                    " AS m(at) WHERE m.at >= f.created_at AND m.at < :now),"
                    f" colours AS (SELECT p.id, p.at, {colour} AS colour FROM points p),"
                    " changes AS (SELECT id, at, colour, lag(colour) OVER"
                    " (PARTITION BY id ORDER BY at) AS previous FROM colours)"
                    " INSERT INTO item_events (entity_type, entity_id, action, data, at)"
                    " SELECT :entity, id, 'colour_changed',"
                    " jsonb_build_object('from', previous, 'to', colour), at FROM changes"
                    " WHERE previous <> colour"
                ),
                {"now": self.now, "entity": entity, "flag_action": flag_action},
            )
        # The timeline reads in id order: number the events in time order again (a colour
        # change after the action that caused it).
        await self.session.execute(
            sa.text(
                "WITH old AS (DELETE FROM item_events RETURNING *)"
                " INSERT INTO item_events (entity_type, entity_id, action, from_status,"
                " to_status, actor_id, org_id, note, data, at)"
                " SELECT entity_type, entity_id, action, from_status, to_status, actor_id,"
                " org_id, note, data, at FROM old"
                " ORDER BY at, action = 'colour_changed', id"
            )
        )

    async def notices(self) -> None:
        """Due-soon and overdue notices as the sweep writes them, dated when they fell due;
        older notices read, as their recipients would have."""
        await sweep_due(self.session, now=self.now)
        n = metadata.tables["notifications"]
        for table, overdue, soon in (
            ("tasks", NotificationKind.task_overdue, NotificationKind.task_due_soon),
            ("issues", NotificationKind.issue_overdue, NotificationKind.issue_due_soon),
        ):
            t = metadata.tables[table]
            await self.session.execute(
                sa.update(n)
                .where(n.c.entity_id == t.c.id, n.c.kind == overdue.value)
                .values(created_at=t.c.due_at)
            )
            await self.session.execute(
                sa.update(n)
                .where(n.c.entity_id == t.c.id, n.c.kind == soon.value)
                .values(created_at=sa.func.greatest(t.c.blue_from, t.c.created_at))
            )
        await self.session.execute(
            sa.update(n)
            .where(n.c.read_at.is_(None), n.c.created_at < self.now - timedelta(days=2))
            .values(read_at=n.c.created_at + timedelta(hours=2))
        )

    async def chasing(self) -> None:
        """The ladder as the sweep climbed it, a sweep each morning of the last
        CHASE_DAYS days; the steps older than two days acknowledged by their first
        recipient, and the late task longest waiting on its 督办单 supervised."""
        first_new = len(self.windows)
        for days in range(CHASE_DAYS, -1, -1):
            morning = self.when((days, 8, 30))
            if morning < self.now:
                await self.at(morning, partial(chasing_sweep, self.session, morning))
        n, steps = metadata.tables["notifications"], metadata.tables["chase_steps"]
        by_user = {p.user_id: p for p in self.principals.values()}
        await self._redate_chasing(first_new)
        first_new = len(self.windows)
        first_of_each = (
            await self.session.execute(
                sa.select(n.c.id, n.c.user_id, n.c.created_at)
                .distinct(n.c.entity_id, n.c.kind, n.c.org_id)
                .where(
                    n.c.kind.in_([k.value for k in ACKNOWLEDGED_KINDS]),
                    n.c.created_at < self.now - timedelta(days=2),
                )
                .order_by(n.c.entity_id, n.c.kind, n.c.org_id, n.c.user_id)
            )
        ).all()
        for row in first_of_each:
            moment = row.created_at + timedelta(hours=3)
            call = partial(chasing.acknowledge, self.session, by_user[row.user_id], row.id)
            await self.at(moment, call)
        waiting = (
            await self.session.execute(
                sa.select(steps.c.entity_id, steps.c.supervisor_org_id, steps.c.recorded_at)
                .where(
                    steps.c.step == "supervision",
                    steps.c.entity_type == "task",
                    steps.c.supervised_at.is_(None),
                )
                .order_by(steps.c.recorded_at, steps.c.entity_id)
                .limit(1)
            )
        ).first()
        if waiting is not None:
            supervisor = next(u for u in self.units.values() if u.id == waiting.supervisor_org_id)
            order = SupervisionOrder(
                note="限期一周办结，每日报送进度。", due_at=self.now + timedelta(days=7)
            )
            leader = self.actor(supervisor.name, Perm.chasing_supervise)
            call = partial(
                chasing.supervise, TASKS, self.session, leader, waiting.entity_id, order, None
            )
            await self.at(waiting.recorded_at + timedelta(hours=4), call)
        await self._redate_chasing(first_new)
        # The sweeps recorded their steps at demo time already; the rest follows the calls.
        acknowledged = n.c.created_at + timedelta(hours=3)
        await self.session.execute(
            sa.update(n)
            .where(n.c.acknowledged_at.is_not(None))
            .values(acknowledged_at=acknowledged, read_at=acknowledged)
        )
        await self.session.execute(
            sa.update(steps)
            .where(steps.c.supervised_at.is_not(None))
            .values(supervised_at=steps.c.recorded_at + timedelta(hours=4))
        )
        # A step replayed for a morning before the item's later actions comes after them
        # on its timeline: there it is dated when it is told, as a sweep catching up would.
        await self.session.execute(
            sa.text(
                "UPDATE item_events e SET at = m.at FROM (SELECT id, max(at) OVER"
                " (PARTITION BY entity_id ORDER BY id) AS at FROM item_events) m"
                " WHERE m.id = e.id AND e.at < m.at"
            )
        )

    async def _redate_chasing(self, first_new: int) -> None:
        """Move what the calls since window `first_new` stamped to their demo times."""
        windows, self.windows = self.windows, self.windows[first_new:]
        self._starts = [w.lo for w in self.windows]
        try:
            await self._move("item_events", "id", ("at",))
            await self._move("notifications", "id", ("created_at",))
        finally:
            self.windows = windows
            self._starts = [w.lo for w in self.windows]


# The colour at `at` from a row's moments and `flag` (migrations/sql/0017_colour.sql).
_COLOUR_AT = "colour_at(red_from, {flag}, yellow_from, blue_from, {at})"


def _moments(table: str, *deadlines: str) -> tuple[str, ...]:
    """The timestamp columns of `table` that say when something happened, its creation
    first (see `_move`)."""
    columns = metadata.tables[table].columns
    found = [c.name for c in columns if isinstance(c.type, sa.DateTime) and c.name not in deadlines]
    return tuple(sorted(found, key=lambda name: name != "created_at"))


async def load_workitems(session: AsyncSession, now: datetime | None = None) -> None:
    """Play the demo's tasks and issues through the services (after the org tree and users)."""
    loader = Loader(session=session, now=now or utcnow())
    token = request_id_var.set("demo-load")
    try:
        await loader.setup()
        for spec in ALL_TOP_TASKS:
            assert spec.created is not None
            await loader.task(spec, loader.when(spec.created))
        for issue in sorted(ALL_ISSUES, key=lambda s: (-s.created[0], s.created[1:])):
            await loader.issue(issue)
        await loader.backdate()
        await loader.colour_history()
        await loader.notices()
        await loader.chasing()
    finally:
        request_id_var.reset(token)
