from enum import StrEnum

class StatsGroupBy(StrEnum):
    AGENT = "agent"
    BATCH = "batch"
    DAY = "day"
    DIRECTION = "direction"
    HOUR = "hour"
    OUTCOME = "outcome"
    STATUS = "status"
    WEEK = "week"

    def __str__(self) -> str:
        return str(self.value)
