"""The Lanping demo: a prefecture-to-community chain with logins for every tier and role."""

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.roles import Role
from app.auth.passwords import hash_password
from app.demo.calendar import load_calendar_2027
from app.demo.workitems import load_workitems
from app.grants.models import Grant
from app.meta.service import DEMO_KEY, set_value
from app.orgs.models import OrgKind, OrgUnit
from app.orgs.service import insert_org
from app.users.models import User

DEMO_PASSWORD = "liandong-demo"

DEPARTMENTS = [
    "县人力资源和社会保障局",
    "县发展和改革局",
    "县财政局",
    "县税务局",
    "县工业商务和信息化局",
    "县自然资源局",
    "县住房和城乡建设局",
    "县水务局",
    "县供电局",
    "县市场监督管理局",
    "县生态环境局",
    "县应急管理局",
    "县乡村振兴局",
    "县教育体育局",
]
TASKFORCE_GROUPS = ["上门招工小组", "技术培训小组", "厂房改造小组", "厂房新建小组", "厂房搬迁小组"]
STREETS = {
    "翠屏街道": ["永兴社区", "和谐社区", "大龙社区"],
    "永昌街道": ["江头河社区", "新城社区"],
}

# Every unit that is party to the demo's tasks and issues acts for itself (a login above
# it may not: separation of duties), so each has a leader and an officer: those of
# DEMO_USERS, else `<code>.leader` and `<code>.officer`.
UNIT_CODES = {
    **dict(
        zip(
            DEPARTMENTS,
            (
                "hrss",
                "devreform",
                "finance",
                "tax",
                "industry",
                "land",
                "housing",
                "water",
                "power",
                "market",
                "ecology",
                "emergency",
                "rural",
                "education",
            ),
            strict=True,
        )
    ),
    **dict(
        zip(
            TASKFORCE_GROUPS,
            ("recruiting", "training", "renovation", "building", "relocation"),
            strict=True,
        )
    ),
    "州级驻点指导组": "prefteam",
    "永昌街道": "yongchang",
    "和谐社区": "hexie",
    "大龙社区": "dalong",
    "江头河社区": "jiangtouhe",
    "新城社区": "xincheng",
}
ROLE_TITLES = {Role.leader: "负责人", Role.officer: "干部"}

# (username, display name, unit label, role): unit labels are resolved below.
DEMO_USERS = [
    ("prefecture.admin", "州系统管理员", "prefecture", Role.admin),
    ("prefecture.leader", "州指导组组长", "prefecture", Role.leader),
    ("prefecture.observer", "州督查员", "prefecture", Role.observer),
    ("county.admin", "县系统管理员", "county", Role.admin),
    ("county.leader", "县领导（施工队长）", "county", Role.leader),
    ("county.officer", "县办公室干部", "county", Role.officer),
    ("street.leader", "街道党工委书记", "street", Role.leader),
    ("street.officer", "街道项目办干部", "street", Role.officer),
    ("community.leader", "社区书记", "community", Role.leader),
    ("community.officer", "社区网格员", "community", Role.officer),
    ("community2.officer", "和谐社区网格员", "community2", Role.officer),
    ("department.officer", "人社局干部", "department", Role.officer),
    ("taskforce.leader", "专班办公室主任", "taskforce", Role.leader),
    ("taskforce.officer", "专班干部", "taskforce", Role.officer),
    ("enterprise.liaison", "隆滨电子联络员", "enterprise", Role.liaison),
]


@dataclass
class DemoOrgs:
    prefecture: OrgUnit
    prefecture_team: OrgUnit
    county: OrgUnit
    taskforce: OrgUnit
    enterprise: OrgUnit
    streets: list[OrgUnit] = field(default_factory=list)
    communities: dict[uuid.UUID, list[OrgUnit]] = field(default_factory=dict)
    departments: list[OrgUnit] = field(default_factory=list)
    groups: list[OrgUnit] = field(default_factory=list)

    def all_units(self) -> list[OrgUnit]:
        return [
            self.prefecture,
            self.prefecture_team,
            self.county,
            self.taskforce,
            self.enterprise,
            *self.streets,
            *(c for units in self.communities.values() for c in units),
            *self.departments,
            *self.groups,
        ]

    def by_label(self) -> dict[str, OrgUnit]:
        first_street = self.streets[0]
        return {
            "prefecture": self.prefecture,
            "county": self.county,
            "street": first_street,
            "community": self.communities[first_street.id][0],
            "community2": self.communities[first_street.id][1],
            "department": self.departments[0],
            "taskforce": self.taskforce,
            "enterprise": self.enterprise,
        }


async def database_is_empty(session: AsyncSession) -> bool:
    count = await session.execute(sa.select(sa.func.count()).select_from(OrgUnit))
    return bool(count.scalar_one() == 0)


async def load_org_tree(session: AsyncSession) -> DemoOrgs:
    prefecture = await insert_org(
        session, name="怒江傈僳族自治州", kind=OrgKind.prefecture, parent=None, code="5333"
    )
    team = await insert_org(
        session, name="州级驻点指导组", kind=OrgKind.taskforce, parent=prefecture
    )
    county = await insert_org(
        session, name="兰坪白族普米族自治县", kind=OrgKind.county, parent=prefecture, code="533325"
    )
    streets: list[OrgUnit] = []
    communities: dict[uuid.UUID, list[OrgUnit]] = {}
    for street_name, community_names in STREETS.items():
        street = await insert_org(session, name=street_name, kind=OrgKind.street, parent=county)
        streets.append(street)
        communities[street.id] = [
            await insert_org(session, name=name, kind=OrgKind.community, parent=street)
            for name in community_names
        ]
    departments = [
        await insert_org(session, name=name, kind=OrgKind.department, parent=county)
        for name in DEPARTMENTS
    ]
    taskforce = await insert_org(
        session, name="县产业就业工作专班", kind=OrgKind.taskforce, parent=county
    )
    groups = [
        await insert_org(session, name=name, kind=OrgKind.group, parent=taskforce)
        for name in TASKFORCE_GROUPS
    ]
    enterprise = await insert_org(
        session, name="隆滨电子科技有限公司", kind=OrgKind.enterprise, parent=county
    )
    return DemoOrgs(
        prefecture=prefecture,
        prefecture_team=team,
        county=county,
        taskforce=taskforce,
        enterprise=enterprise,
        streets=streets,
        communities=communities,
        departments=departments,
        groups=groups,
    )


async def load_users(session: AsyncSession, orgs: DemoOrgs) -> dict[str, User]:
    password_hash = await hash_password(DEMO_PASSWORD)  # one hash serves every demo login
    units = orgs.by_label()
    users: dict[str, User] = {}
    for username, display_name, label, role in DEMO_USERS:
        user = User(username=username, display_name=display_name, password_hash=password_hash)
        session.add(user)
        await session.flush()
        session.add(Grant(user_id=user.id, org_id=units[label].id, role=role.value))
        users[username] = user
    by_name = {unit.name: unit for unit in orgs.all_units()}
    held = {(units[label].name, role) for _, _, label, role in DEMO_USERS}
    for name, code in UNIT_CODES.items():
        for role, title in ROLE_TITLES.items():
            if (name, role) in held:
                continue
            username = f"{code}.{role.value}"
            display_name = f"{name}{title}"
            user = User(username=username, display_name=display_name, password_hash=password_hash)
            session.add(user)
            await session.flush()
            session.add(Grant(user_id=user.id, org_id=by_name[name].id, role=role.value))
            users[username] = user
    await session.flush()
    return users


async def load_demo(session: AsyncSession) -> DemoOrgs:
    orgs = await load_org_tree(session)
    users = await load_users(session, orgs)
    await load_calendar_2027(session, users["prefecture.admin"].id)
    await load_workitems(session)  # tasks, issues, feedback and timelines (issue 3, item 9)
    await set_value(session, DEMO_KEY, True)
    return orgs
