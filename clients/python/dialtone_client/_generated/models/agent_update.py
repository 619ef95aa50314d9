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





T = TypeVar("T", bound="AgentUpdate")



@_attrs_define
class AgentUpdate:
    """ `PATCH /v1/agents/{agent_id}`: the fields given replace the stored ones.

        Attributes:
            connection (AgentConnection | None | Unset):
            name (None | str | Unset):
            phone_numbers (list[str] | None | Unset):
     """

    connection: AgentConnection | None | Unset = UNSET
    name: None | str | Unset = UNSET
    phone_numbers: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.agent_connection import AgentConnection # noqa: PLC0415
        connection: dict[str, Any] | None | Unset
        if isinstance(self.connection, Unset):
            connection = UNSET
        elif isinstance(self.connection, AgentConnection):
            connection = self.connection.to_dict()
        else:
            connection = self.connection

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        phone_numbers: list[str] | None | Unset
        if isinstance(self.phone_numbers, Unset):
            phone_numbers = UNSET
        elif isinstance(self.phone_numbers, list):
            phone_numbers = self.phone_numbers


        else:
            phone_numbers = self.phone_numbers


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if connection is not UNSET:
            field_dict["connection"] = connection
        if name is not UNSET:
            field_dict["name"] = name
        if phone_numbers is not UNSET:
            field_dict["phone_numbers"] = phone_numbers

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_connection import AgentConnection # noqa: PLC0415
        d = dict(src_dict)
        def _parse_connection(data: object) -> AgentConnection | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                connection_type_0 = AgentConnection.from_dict(data)



                return connection_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentConnection | None | Unset, data)

        connection = _parse_connection(d.pop("connection", UNSET))


        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))


        def _parse_phone_numbers(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                phone_numbers_type_0 = cast(list[str], data)

                return phone_numbers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        phone_numbers = _parse_phone_numbers(d.pop("phone_numbers", UNSET))


        agent_update = cls(
            connection=connection,
            name=name,
            phone_numbers=phone_numbers,
        )

        return agent_update

