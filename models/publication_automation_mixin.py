from odoo import fields, models

FAILURE_ACTIVITY = "publication_crm.mail_activity_type_automation_failure"


class PublicationAutomationMixin(models.AbstractModel):
    """Records that a scheduled action of ``publication.automation`` processes
    show its failures: the reason in a field, one chatter note per new reason
    and one activity of type "Automation Failure", however often the step fails
    again; all cleared when the step succeeds."""

    _name = "publication.automation.mixin"
    _description = "Failures of the Scheduled Actions"

    automation_error = fields.Text(
        copy=False,
        readonly=True,
        help="Why the last scheduled step failed; cleared when it succeeds.",
    )
    automation_error_date = fields.Datetime(copy=False, readonly=True)

    def _automation_error_records(self):
        """The records that show a failure of these records' step."""
        return self

    def _automation_failure_summary(self):
        return self.env._("Scheduled action failed")

    def _automation_failure_user(self):
        """Who gets the failure activity."""
        self.ensure_one()
        user = self._fields.get("user_id") and self["user_id"]
        return user or self.env.user

    def _automation_failure_activities(self):
        failure_type = self.env.ref(FAILURE_ACTIVITY)
        return self.activity_ids.filtered(lambda a: a.activity_type_id == failure_type)

    def _record_automation_error(self, step, error):
        self.ensure_one()
        message = f"{step}: {error}"
        summary = self._automation_failure_summary()
        if self.automation_error != message:
            body = self.env._("%(summary)s: %(error)s", summary=summary, error=message)
            self.message_post(body=body)
        self.write(
            {
                "automation_error": message,
                "automation_error_date": fields.Datetime.now(),
            }
        )
        if not self._automation_failure_activities():
            self.activity_schedule(
                FAILURE_ACTIVITY,
                summary=summary,
                note=message,
                user_id=self._automation_failure_user().id,
            )

    def _clear_automation_error(self):
        failed = self.filtered("automation_error")
        if not failed:
            return
        failed.write({"automation_error": False, "automation_error_date": False})
        failed._automation_failure_activities().action_feedback(
            feedback=self.env._("The step succeeded.")
        )
