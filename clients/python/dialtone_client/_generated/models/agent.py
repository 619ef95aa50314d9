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





T = TypeVar("T", bound="Agent")



@_attrs_define
class Agent:
    """ An agent as the API shows it.

        Attributes:
            agent_id (str):
            connection (AgentConnection): How a placed call reaches the agent: a TwiML URL, a media stream or a SIP URI.
            created_at (str):
            name (str):
            updated_at (str):
            phone_numbers (list[str] | Unset):
     """

    agent_id: str
    connection: AgentConnection
    created_at: str
    name: str
    updated_at: str
    phone_numbers: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_connection import AgentConnection # noqa: PLC0415
        agent_id = self.agent_id

        connection = self.connection.to_dict()

        created_at = self.created_at

        name = self.name

        updated_at = self.updated_at

        phone_numbers: list[str] | Unset = UNSET
        if not isinstance(self.phone_numbers, Unset):
            phone_numbers = self.phone_numbers




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "agent_id": agent_id,
            "connection": connection,
            "created_at": created_at,
            "name": name,
            "updated_at": updated_at,
        })
        if phone_numbers is not UNSET:
            field_dict["phone_numbers"] = phone_numbers

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_connection import AgentConnection # noqa: PLC0415
        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        connection = AgentConnection.from_dict(d.pop("connection"))




        created_at = d.pop("created_at")

        name = d.pop("name")

        updated_at = d.pop("updated_at")

        phone_numbers = cast(list[str], d.pop("phone_numbers", UNSET))


        agent = cls(
            agent_id=agent_id,
            connection=connection,
            created_at=created_at,
            name=name,
            updated_at=updated_at,
            phone_numbers=phone_numbers,
        )


        agent.additional_properties = d
        return agent

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
