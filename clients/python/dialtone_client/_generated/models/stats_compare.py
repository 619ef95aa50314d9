from enum import StrEnum

class StatsCompare(StrEnum):
    PREVIOUS_PERIOD = "previous_period"

    def __str__(self) -> str:
        return str(self.value)
