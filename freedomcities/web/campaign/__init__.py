"""The campaign: local groups, officials, meetings, answers per rule, promises, report-backs."""
