"""The daily refresh, at the cron and time zone of ``settings.py`` (default 06:00)."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from dagster_project.defs.jobs import refresh_job
from dagster_project.settings import Settings


def build_daily_schedule(settings: Settings) -> ScheduleDefinition:
    # Running by default: a practice that starts `friction ui` expects the daily refresh.
    return ScheduleDefinition(
        name="daily_refresh",
        job=refresh_job,
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
    )
