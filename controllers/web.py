from odoo.http import request

from odoo.addons.portal.controllers import web


class Home(web.Home):
    def _login_redirect(self, uid, redirect=None):
        """The portal in the language of the reader who logs in: a page seen before
        (a mail's link, in the site's language) left its language in the
        frontend_lang cookie, which Odoo prefers to the user's own."""
        lang = request.env["res.users"].sudo().browse(uid).lang
        if lang and lang in request.env["res.lang"]._get_frontend():
            request.future_response.set_cookie("frontend_lang", lang)
        return super()._login_redirect(uid, redirect=redirect)
