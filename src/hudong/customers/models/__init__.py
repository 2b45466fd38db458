"""Customer models: the record, its identifiers and knowledge; resolution; data quality."""

from hudong.customers.models.quality import AnswerKind, DripQuestion
from hudong.customers.models.records import (
    Address,
    AddressKind,
    Attribute,
    AttributeCategory,
    Customer,
    CustomerKind,
    Identifier,
    IdentifierKind,
)
from hudong.customers.models.resolution import MatchCandidate, MatchStatus, MergeRecord

__all__ = [
    "Address",
    "AddressKind",
    "AnswerKind",
    "Attribute",
    "AttributeCategory",
    "Customer",
    "CustomerKind",
    "DripQuestion",
    "Identifier",
    "IdentifierKind",
    "MatchCandidate",
    "MatchStatus",
    "MergeRecord",
]
