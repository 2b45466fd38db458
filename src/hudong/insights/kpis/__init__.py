"""KPI dashboards: facts counted by each insights run, a registry of dashboards and charts."""
