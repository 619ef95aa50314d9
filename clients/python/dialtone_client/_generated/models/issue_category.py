from enum import StrEnum

class IssueCategory(StrEnum):
    AUDIO_LATENCY = "audio_latency"
    DIGITS_NOT_CAPTURED = "digits_not_captured"
    DROPPED_CALL = "dropped_call"
    FAILED_ACTION = "failed_action"
    HALLUCINATION = "hallucination"
    IMPERFECT_AUDIO = "imperfect_audio"
    INCORRECT_CALLER_ID = "incorrect_caller_id"
    INTERRUPTED_CALLER = "interrupted_caller"
    ONE_WAY_AUDIO = "one_way_audio"
    OTHER = "other"
    POST_DIAL_DELAY = "post_dial_delay"
    SLOW_RESPONSE = "slow_response"
    UNSOLICITED_CALL = "unsolicited_call"
    WRONG_ANSWER = "wrong_answer"

    def __str__(self) -> str:
        return str(self.value)
