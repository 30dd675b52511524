"""The Streamlit dashboard: one module per page, the shared state in :mod:`costmodel.ui.state`.

The UI only wires: widgets become :class:`~costmodel.present.inputs.ScenarioInputs`, inputs become engine
calls, engine results become figures (:mod:`costmodel.present.charts`) and reports (:mod:`costmodel.present.report`).
"""
