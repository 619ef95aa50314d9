from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="ExchangeIn")



@_attrs_define
class ExchangeIn:
    """ One transcript exchange as the runtime sends it.

        Attributes:
            sequence_number (int):
            agent_end_ms (int | None | Unset):
            agent_response (None | str | Unset):
            agent_start_ms (int | None | Unset):
            error (bool | Unset):  Default: False.
            error_message (None | str | Unset):
            exchange_timestamp (datetime.datetime | None | Unset):
            user_end_ms (int | None | Unset):
            user_start_ms (int | None | Unset):
            user_transcript (None | str | Unset):
     """

    sequence_number: int
    agent_end_ms: int | None | Unset = UNSET
    agent_response: None | str | Unset = UNSET
    agent_start_ms: int | None | Unset = UNSET
    error: bool | Unset = False
    error_message: None | str | Unset = UNSET
    exchange_timestamp: datetime.datetime | None | Unset = UNSET
    user_end_ms: int | None | Unset = UNSET
    user_start_ms: int | None | Unset = UNSET
    user_transcript: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        sequence_number = self.sequence_number

        agent_end_ms: int | None | Unset
        if isinstance(self.agent_end_ms, Unset):
            agent_end_ms = UNSET
        else:
            agent_end_ms = self.agent_end_ms

        agent_response: None | str | Unset
        if isinstance(self.agent_response, Unset):
            agent_response = UNSET
        else:
            agent_response = self.agent_response

        agent_start_ms: int | None | Unset
        if isinstance(self.agent_start_ms, Unset):
            agent_start_ms = UNSET
        else:
            agent_start_ms = self.agent_start_ms

        error = self.error

        error_message: None | str | Unset
        if isinstance(self.error_message, Unset):
            error_message = UNSET
        else:
            error_message = self.error_message

        exchange_timestamp: None | str | Unset
        if isinstance(self.exchange_timestamp, Unset):
            exchange_timestamp = UNSET
        elif isinstance(self.exchange_timestamp, datetime.datetime):
            exchange_timestamp = self.exchange_timestamp.isoformat()
        else:
            exchange_timestamp = self.exchange_timestamp

        user_end_ms: int | None | Unset
        if isinstance(self.user_end_ms, Unset):
            user_end_ms = UNSET
        else:
            user_end_ms = self.user_end_ms

        user_start_ms: int | None | Unset
        if isinstance(self.user_start_ms, Unset):
            user_start_ms = UNSET
        else:
            user_start_ms = self.user_start_ms

        user_transcript: None | str | Unset
        if isinstance(self.user_transcript, Unset):
            user_transcript = UNSET
        else:
            user_transcript = self.user_transcript


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "sequence_number": sequence_number,
        })
        if agent_end_ms is not UNSET:
            field_dict["agent_end_ms"] = agent_end_ms
        if agent_response is not UNSET:
            field_dict["agent_response"] = agent_response
        if agent_start_ms is not UNSET:
            field_dict["agent_start_ms"] = agent_start_ms
        if error is not UNSET:
            field_dict["error"] = error
        if error_message is not UNSET:
            field_dict["error_message"] = error_message
        if exchange_timestamp is not UNSET:
            field_dict["exchange_timestamp"] = exchange_timestamp
        if user_end_ms is not UNSET:
            field_dict["user_end_ms"] = user_end_ms
        if user_start_ms is not UNSET:
            field_dict["user_start_ms"] = user_start_ms
        if user_transcript is not UNSET:
            field_dict["user_transcript"] = user_transcript

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sequence_number = d.pop("sequence_number")

        def _parse_agent_end_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        agent_end_ms = _parse_agent_end_ms(d.pop("agent_end_ms", UNSET))


        def _parse_agent_response(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_response = _parse_agent_response(d.pop("agent_response", UNSET))


        def _parse_agent_start_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        agent_start_ms = _parse_agent_start_ms(d.pop("agent_start_ms", UNSET))


        error = d.pop("error", UNSET)

        def _parse_error_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error_message = _parse_error_message(d.pop("error_message", UNSET))


        def _parse_exchange_timestamp(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                exchange_timestamp_type_0 = datetime.datetime.fromisoformat(data)



                return exchange_timestamp_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        exchange_timestamp = _parse_exchange_timestamp(d.pop("exchange_timestamp", UNSET))


        def _parse_user_end_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        user_end_ms = _parse_user_end_ms(d.pop("user_end_ms", UNSET))


        def _parse_user_start_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        user_start_ms = _parse_user_start_ms(d.pop("user_start_ms", UNSET))


        def _parse_user_transcript(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_transcript = _parse_user_transcript(d.pop("user_transcript", UNSET))


        exchange_in = cls(
            sequence_number=sequence_number,
            agent_end_ms=agent_end_ms,
            agent_response=agent_response,
            agent_start_ms=agent_start_ms,
            error=error,
            error_message=error_message,
            exchange_timestamp=exchange_timestamp,
            user_end_ms=user_end_ms,
            user_start_ms=user_start_ms,
            user_transcript=user_transcript,
        )

        return exchange_in

