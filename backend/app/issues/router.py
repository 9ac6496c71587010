"""Issue routes: all from the work-item router factory."""

from fastapi import APIRouter

from app.issues import service
from app.workitems.router import item_router

router = item_router(service.KIND, APIRouter(prefix="/issues", tags=["issues"]))
