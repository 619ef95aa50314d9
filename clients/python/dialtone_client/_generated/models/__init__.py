""" Contains all the data models used in inputs/outputs """

from .agent import Agent
from .agent_connection import AgentConnection
from .agent_create import AgentCreate
from .agent_list import AgentList
from .agent_update import AgentUpdate
from .append_receipt import AppendReceipt
from .batch_accepted import BatchAccepted
from .batch_call_entry import BatchCallEntry
from .batch_completed_event import BatchCompletedEvent
from .batch_deferred import BatchDeferred
from .batch_dial_request import BatchDialRequest
from .batch_dial_request_metadata import BatchDialRequestMetadata
from .batch_dry_run import BatchDryRun
from .batch_event_data import BatchEventData
from .batch_links import BatchLinks
from .batch_skipped import BatchSkipped
from .batch_status import BatchStatus
from .call import Call
from .call_analysis import CallAnalysis
from .call_change import CallChange
from .call_changes import CallChanges
from .call_completed_event import CallCompletedEvent
from .call_cost import CallCost
from .call_escalated_event import CallEscalatedEvent
from .call_event_data import CallEventData
from .call_event_data_metadata import CallEventDataMetadata
from .call_event_data_provider_usage import CallEventDataProviderUsage
from .call_export import CallExport
from .call_failed_event import CallFailedEvent
from .call_graded_event import CallGradedEvent
from .call_history import CallHistory
from .call_issue_reports import CallIssueReports
from .call_latency import CallLatency
from .call_links import CallLinks
from .call_list import CallList
from .call_metadata import CallMetadata
from .call_outcome import CallOutcome
from .call_provider_usage import CallProviderUsage
from .call_recording_ready_event import CallRecordingReadyEvent
from .call_search_result import CallSearchResult
from .call_started_event import CallStartedEvent
from .call_stats import CallStats
from .call_status import CallStatus
from .call_update import CallUpdate
from .call_update_metadata_type_0 import CallUpdateMetadataType0
from .call_update_provider_usage_type_0 import CallUpdateProviderUsageType0
from .call_with_transcript import CallWithTranscript
from .call_with_transcript_metadata import CallWithTranscriptMetadata
from .call_with_transcript_provider_usage import CallWithTranscriptProviderUsage
from .change_kind import ChangeKind
from .connection_type import ConnectionType
from .criterion_score import CriterionScore
from .deletion_reason import DeletionReason
from .delivery import Delivery
from .delivery_attempt import DeliveryAttempt
from .delivery_list import DeliveryList
from .delivery_status import DeliveryStatus
from .dial_accepted import DialAccepted
from .dial_request import DialRequest
from .dial_request_metadata import DialRequestMetadata
from .dialer_status import DialerStatus
from .direction import Direction
from .error_body import ErrorBody
from .event_in import EventIn
from .event_in_arguments_type_0 import EventInArgumentsType0
from .event_in_attributes import EventInAttributes
from .event_type import EventType
from .events_receipt import EventsReceipt
from .events_request import EventsRequest
from .exchange import Exchange
from .exchange_in import ExchangeIn
from .exchanges_request import ExchangesRequest
from .export_format import ExportFormat
from .gateway_error_body import GatewayErrorBody
from .get_openapi_document_response_200 import GetOpenapiDocumentResponse200
from .grade import Grade
from .grade_status import GradeStatus
from .history_event import HistoryEvent
from .history_event_arguments_type_0 import HistoryEventArgumentsType0
from .history_event_attributes import HistoryEventAttributes
from .history_event_changes_type_0 import HistoryEventChangesType0
from .history_event_type import HistoryEventType
from .issue_category import IssueCategory
from .issue_report import IssueReport
from .issue_report_create import IssueReportCreate
from .issue_report_feed import IssueReportFeed
from .issue_severity import IssueSeverity
from .issue_source import IssueSource
from .latency_percentiles import LatencyPercentiles
from .latency_stats import LatencyStats
from .patch_changes import PatchChanges
from .patch_changes_arguments_type_0 import PatchChangesArgumentsType0
from .patch_changes_attributes_type_0 import PatchChangesAttributesType0
from .ping_queued import PingQueued
from .provider_cost import ProviderCost
from .queue_time import QueueTime
from .recording_link import RecordingLink
from .recording_upload import RecordingUpload
from .recording_upload_fields import RecordingUploadFields
from .recording_upload_headers import RecordingUploadHeaders
from .recording_upload_method import RecordingUploadMethod
from .recording_upload_request import RecordingUploadRequest
from .recording_upload_request_format import RecordingUploadRequestFormat
from .recording_upload_request_method import RecordingUploadRequestMethod
from .search_calls_request import SearchCallsRequest
from .sort_order import SortOrder
from .stats_compare import StatsCompare
from .stats_figures import StatsFigures
from .stats_figures_by_direction import StatsFiguresByDirection
from .stats_figures_by_outcome import StatsFiguresByOutcome
from .stats_figures_by_status import StatsFiguresByStatus
from .stats_group import StatsGroup
from .stats_group_by import StatsGroupBy
from .stats_latency import StatsLatency
from .stats_period import StatsPeriod
from .subscription import Subscription
from .suppression import Suppression
from .suppression_create import SuppressionCreate
from .suppression_list import SuppressionList
from .tombstone import Tombstone
from .transcript_exchanges import TranscriptExchanges
from .transcript_format import TranscriptFormat
from .transcript_turns import TranscriptTurns
from .turn import Turn
from .turn_content_type import TurnContentType
from .turn_role import TurnRole
from .twilio_status_body import TwilioStatusBody
from .twilio_status_body_call_status import TwilioStatusBodyCallStatus
from .validation_error_body import ValidationErrorBody
from .validation_issue import ValidationIssue
from .webhook_create import WebhookCreate
from .webhook_create_events_item import WebhookCreateEventsItem
from .webhook_created import WebhookCreated
from .webhook_list import WebhookList
from .webhook_secret import WebhookSecret
from .webhook_update import WebhookUpdate
from .webhook_update_events_type_0_item import WebhookUpdateEventsType0Item

__all__ = (
    "Agent",
    "AgentConnection",
    "AgentCreate",
    "AgentList",
    "AgentUpdate",
    "AppendReceipt",
    "BatchAccepted",
    "BatchCallEntry",
    "BatchCompletedEvent",
    "BatchDeferred",
    "BatchDialRequest",
    "BatchDialRequestMetadata",
    "BatchDryRun",
    "BatchEventData",
    "BatchLinks",
    "BatchSkipped",
    "BatchStatus",
    "Call",
    "CallAnalysis",
    "CallChange",
    "CallChanges",
    "CallCompletedEvent",
    "CallCost",
    "CallEscalatedEvent",
    "CallEventData",
    "CallEventDataMetadata",
    "CallEventDataProviderUsage",
    "CallExport",
    "CallFailedEvent",
    "CallGradedEvent",
    "CallHistory",
    "CallIssueReports",
    "CallLatency",
    "CallLinks",
    "CallList",
    "CallMetadata",
    "CallOutcome",
    "CallProviderUsage",
    "CallRecordingReadyEvent",
    "CallSearchResult",
    "CallStartedEvent",
    "CallStats",
    "CallStatus",
    "CallUpdate",
    "CallUpdateMetadataType0",
    "CallUpdateProviderUsageType0",
    "CallWithTranscript",
    "CallWithTranscriptMetadata",
    "CallWithTranscriptProviderUsage",
    "ChangeKind",
    "ConnectionType",
    "CriterionScore",
    "DeletionReason",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryList",
    "DeliveryStatus",
    "DialAccepted",
    "DialerStatus",
    "DialRequest",
    "DialRequestMetadata",
    "Direction",
    "ErrorBody",
    "EventIn",
    "EventInArgumentsType0",
    "EventInAttributes",
    "EventsReceipt",
    "EventsRequest",
    "EventType",
    "Exchange",
    "ExchangeIn",
    "ExchangesRequest",
    "ExportFormat",
    "GatewayErrorBody",
    "GetOpenapiDocumentResponse200",
    "Grade",
    "GradeStatus",
    "HistoryEvent",
    "HistoryEventArgumentsType0",
    "HistoryEventAttributes",
    "HistoryEventChangesType0",
    "HistoryEventType",
    "IssueCategory",
    "IssueReport",
    "IssueReportCreate",
    "IssueReportFeed",
    "IssueSeverity",
    "IssueSource",
    "LatencyPercentiles",
    "LatencyStats",
    "PatchChanges",
    "PatchChangesArgumentsType0",
    "PatchChangesAttributesType0",
    "PingQueued",
    "ProviderCost",
    "QueueTime",
    "RecordingLink",
    "RecordingUpload",
    "RecordingUploadFields",
    "RecordingUploadHeaders",
    "RecordingUploadMethod",
    "RecordingUploadRequest",
    "RecordingUploadRequestFormat",
    "RecordingUploadRequestMethod",
    "SearchCallsRequest",
    "SortOrder",
    "StatsCompare",
    "StatsFigures",
    "StatsFiguresByDirection",
    "StatsFiguresByOutcome",
    "StatsFiguresByStatus",
    "StatsGroup",
    "StatsGroupBy",
    "StatsLatency",
    "StatsPeriod",
    "Subscription",
    "Suppression",
    "SuppressionCreate",
    "SuppressionList",
    "Tombstone",
    "TranscriptExchanges",
    "TranscriptFormat",
    "TranscriptTurns",
    "Turn",
    "TurnContentType",
    "TurnRole",
    "TwilioStatusBody",
    "TwilioStatusBodyCallStatus",
    "ValidationErrorBody",
    "ValidationIssue",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookCreateEventsItem",
    "WebhookList",
    "WebhookSecret",
    "WebhookUpdate",
    "WebhookUpdateEventsType0Item",
)
