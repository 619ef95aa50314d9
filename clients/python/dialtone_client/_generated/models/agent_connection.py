from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.connection_type import ConnectionType






T = TypeVar("T", bound="AgentConnection")



@_attrs_define
class AgentConnection:
    """ How a placed call reaches the agent: a TwiML URL, a media stream or a SIP URI.

        Attributes:
            type_ (ConnectionType): How the telephony provider connects a placed call to the agent.
            url (str):
     """

    type_: ConnectionType
    url: str





    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        url = self.url


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "type": type_,
            "url": url,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = ConnectionType(d.pop("type"))




        url = d.pop("url")

        agent_connection = cls(
            type_=type_,
            url=url,
        )

        return agent_connection

