package io.loladeft.registry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.orm.ObjectOptimisticLockingFailureException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Folds each measured round into the device's calibration, after the round's merge commits (a merge rolled back
 * measured nothing) and in a transaction of its own, as spring-modulith's application-module listeners do. A
 * sample lost to a concurrent write of the device is simply skipped: the next round brings another.
 */
@Component
class Recalibration {

    private static final Logger log = LoggerFactory.getLogger(Recalibration.class);

    private final DeviceRepository devices;

    Recalibration(DeviceRepository devices) {
        this.devices = devices;
    }

    @TransactionalEventListener(fallbackExecution = true)
    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void on(DeviceMeasured measured) {
        if (!(measured.effectiveFlops() > 0) || !Double.isFinite(measured.effectiveFlops())) {
            return;
        }
        try {
            devices.findByName(measured.device()).ifPresent(d -> {
                d.recalibrate(measured);
                devices.saveAndFlush(d);
            });
        } catch (ObjectOptimisticLockingFailureException e) {
            log.debug("calibration sample of {} skipped: the device changed concurrently", measured.device());
        }
    }
}
