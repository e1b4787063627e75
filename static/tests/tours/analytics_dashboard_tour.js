import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("publication_crm_analytics_dashboard", {
    url: "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action",
    steps: () => [
        {
            content: "Open the publisher's dashboard",
            trigger: ".o_search_panel_category_value:contains(Subscriber Analytics)",
            run: "click",
        },
        {
            content: "It is the active dashboard",
            trigger: ".o_search_panel_category_value.active:contains(Subscriber Analytics)",
        },
        {
            content: "Its spreadsheet is rendered, not an error",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer .o-grid",
        },
        {
            content: "Its four key figures are drawn",
            trigger: ".o_spreadsheet_dashboard_action .o-figure:has(canvas.o-scorecard):eq(3)",
        },
        {
            content: "Its four charts are drawn",
            trigger:
                ".o_spreadsheet_dashboard_action .o-figure:has(.o-chart-container canvas):eq(3)",
        },
    ],
});
