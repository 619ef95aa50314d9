from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.agent_connection import AgentConnection





T = TypeVar("T", bound="AgentCreate")



@_attrs_define
class AgentCreate:
    """ `POST /v1/agents`: an id may be given (a lower-case slug), else one is generated.

        Attributes:
            connection (AgentConnection): How a placed call reaches the agent: a TwiML URL, a media stream or a SIP URI.
            name (str):
            agent_id (None | str | Unset):
            phone_numbers (list[str] | Unset):
     """

    connection: AgentConnection
    name: str
    agent_id: None | str | Unset = UNSET
    phone_numbers: list[str] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_connection import AgentConnection # noqa: PLC0415
        connection = self.connection.to_dict()

        name = self.name

        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        phone_numbers: list[str] | Unset = UNSET
        if not isinstance(self.phone_numbers, Unset):
            phone_numbers = self.phone_numbers




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "connection": connection,
            "name": name,
        })
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if phone_numbers is not UNSET:
            field_dict["phone_numbers"] = phone_numbers

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_connection import AgentConnection # noqa: PLC0415
        d = dict(src_dict)
        connection = AgentConnection.from_dict(d.pop("connection"))




        name = d.pop("name")

        def _parse_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))


        phone_numbers = cast(list[str], d.pop("phone_numbers", UNSET))


        agent_create = cls(
            connection=connection,
            name=name,
            agent_id=agent_id,
            phone_numbers=phone_numbers,
        )

        return agent_create

