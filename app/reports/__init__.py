"""Printed documents (reportlab): 年度服务计划书, 拜访单, 客户资料卡, 邮寄标签 — A4, CJK font embedded as a subset."""
