import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("publication_crm_direct_debit_portal", {
    steps: () => [
        {
            content: "Enter the IBAN",
            trigger: ".o_subscription_sign_mandate input[name='iban']",
            run: "edit DE89 3704 0044 0532 0130 00",
        },
        {
            content: "Authorise the debits",
            trigger: ".o_subscription_sign_mandate input[name='authorise']",
            run: "check",
        },
        {
            content: "Sign the mandate",
            trigger: ".o_subscription_sign_mandate button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page names the mandate",
            trigger: ".o_subscription_mandate:contains(DE89)",
        },
        {
            content: "Stop direct debit",
            trigger: ".o_subscription_stop_debit button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The form to sign is back",
            trigger: ".o_subscription_sign_mandate",
        },
    ],
});
