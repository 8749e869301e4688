"""Task data for the reference experiments."""

from models.tasks.regression import RegressionData, quadratic_task, regression_task

__all__ = ["RegressionData", "regression_task", "quadratic_task"]
