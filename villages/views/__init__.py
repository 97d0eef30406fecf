"""The registry's pages: villages and cadres, accounts (two-factor, password), the
操作日志."""
