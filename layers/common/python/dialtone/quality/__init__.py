"""Quality: grading calls and the issue reports filed against them.

- `grading`: asking for a call's grade, and the grader function's work; `grades`: reading it;
- `issue_reports`: filing and listing issue reports;
- `models`: the shapes the API shows; `store`: grades and reports in the quality table;
- `graders`: the grader interface (`base`) and its two implementations, the default `rubric`
  and `bedrock`; `reports`: the report a low grade files; `config`: which grader is used.

Nothing is re-exported here: an API function that asks for or reads a grade imports neither
grader. No module loads an AWS SDK on import: the Bedrock grader creates its client on first use.
"""
