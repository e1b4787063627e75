import { registry } from "@web/core/registry";

/** A date string days after today, for the pause form. */
function inDays(days) {
    const date = new Date();
    date.setDate(date.getDate() + days);
    return date.toISOString().slice(0, 10);
}

registry.category("web_tour.tours").add("publication_crm_subscription_portal", {
    url: "/my",
    steps: () => [
        {
            content: "Open the subscriptions from the portal's home",
            trigger: "a[href='/my/subscriptions']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the subscription",
            trigger: "td a[href^='/my/subscriptions/']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page says where the copies go",
            trigger: ".o_subscription_delivery_address:contains(3 Harbour Street)",
        },
        {
            content: "Renew and pay",
            trigger: ".o_subscription_renew button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Pay the renewal's invoice",
            trigger: "a[data-bs-target='#pay_with']",
            run: "click",
        },
        {
            content: "Card number of the demo provider",
            trigger: "#pay_with input[name='customer_input']",
            run: "edit 4242424242424242",
        },
        {
            content: "Save the card for the automatic renewals",
            trigger: "#pay_with input[name='o_payment_tokenize_checkbox']",
            run: "check",
        },
        {
            content: "Pay",
            trigger: "#pay_with button[name='o_payment_submit_button']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The invoice is paid; back to the subscriptions",
            trigger: "div[name='invoice_paid_badge']",
            timeout: 30000,
            run() {
                window.location.href = "/my/subscriptions";
            },
            expectUnloadPage: true,
        },
        {
            content: "Open the subscription again",
            trigger: "td a[href^='/my/subscriptions/']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The saved card pays the renewals",
            trigger: ".o_subscription_saved_method:contains(4242)",
        },
        {
            content: "Pause from in ten days",
            trigger: "#pause_date_from",
            run() {
                this.anchor.value = inDays(10);
            },
        },
        {
            content: "for five weeks",
            trigger: "#pause_date_to",
            run() {
                this.anchor.value = inDays(45);
            },
        },
        {
            content: "Pause delivery",
            trigger: ".o_subscription_pause button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The pause and the new end are shown",
            trigger: ".o_subscription_message:contains(Delivery is paused from)",
        },
        {
            content: "Report the last issue as not received",
            trigger: ".o_subscription_complaint textarea[name='description']",
            run: "edit Not in my letterbox",
        },
        {
            content: "Report",
            trigger: ".o_subscription_complaint button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaint is answered on screen",
            trigger: ".o_subscription_message:contains(is registered)",
        },
        {
            content: "Ask to cancel",
            trigger: ".o_subscription_cancel a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Give the reason",
            trigger: "select#churn_reason_id",
            run() {
                this.anchor.selectedIndex = 1;
            },
        },
        {
            content: "Take the discount offered instead",
            trigger: ".o_retention_discount button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The subscription is kept; the answer names the term discounted",
            trigger: ".o_subscription_message:contains(Thank you for staying: your term from)",
        },
        {
            content: "The page shows that term and its price",
            trigger: ".o_subscription_next_term:contains(10% off)",
        },
    ],
});
