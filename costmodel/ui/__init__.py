"""The Streamlit dashboard: one module per page, the shared state in :mod:`costmodel.ui.state`.

The UI only wires: widgets become :class:`~costmodel.inputs.ScenarioInputs`, inputs become engine
calls, engine results become figures (:mod:`costmodel.charts`) and reports (:mod:`costmodel.report`).
"""
