import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("publication_crm_seat_portal", {
    steps: () => [
        {
            content: "Give a seat by e-mail",
            trigger: ".o_subscription_add_seat input[name='email']",
            run: "edit anna@example.com",
        },
        {
            content: "Send the invitation",
            trigger: ".o_subscription_add_seat button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The seat is listed as invited",
            trigger: ".o_subscription_seat_invited:contains(anna@example.com)",
        },
        {
            content: "Replace the member",
            trigger: ".o_subscription_replace_seat input[name='email']",
            run: "edit bertil@example.com",
        },
        {
            content: "Send the new invitation",
            trigger: ".o_subscription_replace_seat button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new member holds the seat",
            trigger: ".o_subscription_seat_invited:contains(bertil@example.com)",
        },
        {
            content: "Remove the member",
            trigger: ".o_subscription_remove_seat button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The seat is free again",
            trigger: ".o_subscription_seat_count:contains(0 of 2)",
        },
    ],
});
