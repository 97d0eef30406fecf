"""The collective economy's pages: overview, a village's books, 消薄 alerts, exports and
imports."""
